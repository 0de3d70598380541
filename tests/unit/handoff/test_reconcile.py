"""The reconciler's pure parts: the decision per paused sender, the reasons and channel of
a reopened ticket, its settings; and the CSAT window rule."""
from __future__ import annotations

import pytest

from core.settings import SettingsError
from handoff.reconcile import (
    FORGET,
    KEEP,
    REOPEN,
    RESUME,
    ReconcileSettings,
    decide,
    reconciled_reasons,
    tracker_channel,
)
from handoff.window import HUMAN_AGENT_TAG, MessagingWindow, allows_automated

NOW = 1_800_000_000.0


@pytest.mark.parametrize("live, paused, hours_ago, expected", [
    (True, True, 1, KEEP),
    (True, True, 100, KEEP),
    (False, False, 1, FORGET),
    (False, True, 1, REOPEN),
    (False, True, 23.9, REOPEN),
    (False, True, 24, RESUME),
    (False, True, 100, RESUME),
])
def test_decide(live, paused, hours_ago, expected):
    assert decide(NOW - hours_ago * 3600, NOW, live_ticket=live, tracker_paused=paused, reopen_hours=24) == expected


def test_reopened_ticket_keeps_the_original_reasons_and_says_reconciled():
    tracker = {"slots": {"handoff_reasons": ["route:diagnostic:report_lost_bag@0.97"]}}
    assert [r.code for r in reconciled_reasons(tracker)] == ["route", "reconciled"]
    assert [r.code for r in reconciled_reasons({"slots": {}})] == ["reconciled"]


def test_channel_of_the_latest_customer_message():
    tracker = {"latest_input_channel": "twitter", "events": [
        {"event": "user", "input_channel": "facebook", "metadata": {}},
        {"event": "user", "input_channel": "twitter", "metadata": {"public": True}},
        {"event": "bot", "text": "x"}]}
    assert tracker_channel(tracker) == "twitter_mention"
    assert tracker_channel({"events": []}) == "rest"


def test_settings_from_the_environment():
    assert ReconcileSettings.from_env({}) == ReconcileSettings(60, 24, 500)
    assert ReconcileSettings.from_env({"RECONCILE_INTERVAL_S": "0", "RECONCILE_REOPEN_HOURS": "6"}).interval_s == 0
    with pytest.raises(SettingsError):
        ReconcileSettings.from_env({"RECONCILE_INTERVAL_S": "-1"})


def test_automated_messages_only_in_a_normal_window():
    assert allows_automated(MessagingWindow(True, "standard"))
    assert allows_automated(MessagingWindow(True, "open"))
    assert not allows_automated(MessagingWindow(True, "human_agent", HUMAN_AGENT_TAG))
    assert not allows_automated(MessagingWindow(False, "closed"))


def test_last_pause_counts_only_when_nothing_unpaused_since():
    from handoff.reconcile import last_pause_at

    pause = {"event": "pause", "timestamp": 100.0}
    assert last_pause_at([{"event": "user"}, pause, {"event": "user"}]) == 100.0
    assert last_pause_at([pause, {"event": "resume", "timestamp": 200.0}]) is None
    assert last_pause_at([pause, {"event": "restart"}]) is None
    assert last_pause_at([pause, {"event": "session_started"}]) is None
    assert last_pause_at([{"event": "resume"}, {"event": "pause", "timestamp": 300.0}]) == 300.0
    assert last_pause_at([]) is None
