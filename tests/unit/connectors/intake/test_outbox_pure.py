"""Pure parts of the outbox and its settings: reply documents, the turn's collector, the
sender's next step after one send."""
from __future__ import annotations

import pytest

from connectors.http import PlatformConnectionError, PlatformError, RateLimited
from connectors.outbox.replies import CURRENT, Reply, TurnReplies, current, decode, encode, next_step
from connectors.outbox.settings import ReliabilitySettings
from connectors.outbox.store import ClaimState
from core.settings import SettingsError


def test_reply_round_trips_and_ids_are_stable_per_entry():
    replies = TurnReplies("facebook", "psid-1", "17-0")
    first = replies.record("send_text", "psid-1", {"text": "hé"}, delivery=None)  # type: ignore[arg-type]
    second = replies.record("send_text", "psid-1", {"text": "two"}, delivery=None)  # type: ignore[arg-type]
    assert [first.reply_id, second.reply_id] == ["17-0:0", "17-0:1"]
    assert [decode(raw) for raw in replies.encoded()] == [first, second]
    with pytest.raises(ValueError):
        decode('{"v": 2}')


def test_current_is_only_the_collector_of_this_platform():
    assert current("facebook") is None
    token = CURRENT.set(TurnReplies("twitter", "u1", "1-0"))
    try:
        assert current("facebook") is None and current("twitter") is not None
    finally:
        CURRENT.reset(token)


def test_next_step_never_resends_what_the_platform_may_have_accepted():
    assert next_step(None, 0).action == "sent"
    timeout = next_step(PlatformConnectionError(None, "timeout", False), 1)
    assert (timeout.action, timeout.reason) == ("unknown", "send_outcome_unknown:timeout")
    assert next_step(PlatformConnectionError(None, "disconnected", False), 1).action == "unknown"
    refused = next_step(PlatformConnectionError(None, "connection"), 1)  # never connected: safe to retry
    assert refused.action == "retry" and refused.wait_s == 1.0


def test_next_step_waits_for_any_rate_limit_reset_and_bounds_other_retries():
    wait = next_step(RateLimited(429, 88, retry_after=900.0), 50)
    assert (wait.action, wait.wait_s) == ("wait", 900.0)  # 15 minutes, whatever the tries
    assert next_step(RateLimited(429, 4), 1).wait_s == 60.0
    assert next_step(PlatformError(503, 2, True), 3).wait_s == 4.0
    assert next_step(PlatformError(503, 2, True), 12, max_attempts=12).action == "dead"
    final = next_step(PlatformError(400, 100, False), 1)
    assert final.action == "dead" and final.reason == "PlatformError:400:100"
    assert next_step(ValueError("empty"), 1).reason == "invalid_message"


def test_claim_state_reads_parts_and_attempts():
    assert ClaimState("").may_send and ClaimState("waiting:2:3").may_send
    assert (ClaimState("waiting:2:3").parts_done, ClaimState("waiting:2:3").attempts) == (2, 3)
    assert ClaimState("sending:0").interrupted and not ClaimState("sent").may_send


def test_reliability_settings_from_env():
    assert ReliabilitySettings.from_env({}) == ReliabilitySettings(60, 3, 12, 1000)
    read = ReliabilitySettings.from_env({"INTAKE_TURN_TIMEOUT_S": "5", "INTAKE_MAX_DELIVERIES": "2"})
    assert (read.turn_timeout_s, read.max_deliveries) == (5, 2)
    with pytest.raises(SettingsError):
        ReliabilitySettings.from_env({"INTAKE_MAX_DELIVERIES": "0"})


def test_reply_is_a_frozen_record():
    reply = Reply("1-0:0", "facebook", "t", "send_text", "p", {"text": "x"})
    assert decode(encode(reply)) == reply
