"""The pure half of the erasure: who a record belongs to, and the plan's counts."""
from __future__ import annotations

import json

import pytest

from connectors.intake.keys import IntakeKeys
from handoff.erasure import (
    ErasureTarget,
    Inventory,
    dead_letter_is_theirs,
    mentions_user,
    plan_erasure,
    ticket_is_theirs,
)
from handoff.keys import HandoffKeys

TARGET = ErasureTarget("facebook", "6012345678901234")


def test_targets_are_checked_and_keep_the_id_out_of_repr():
    assert "6012345678901234" not in repr(TARGET)
    for platform, user in (("rest", "1"), ("facebook", ""), ("facebook", "a b"), ("twitter", "x" * 129)):
        with pytest.raises(ValueError):
            ErasureTarget(platform, user)


def test_mentions_user_looks_at_id_fields_only():
    assert mentions_user({"sender": {"id": "6012345678901234"}}, TARGET.user_id)
    assert mentions_user({"a": [{"user_id": 6012345678901234}]}, TARGET.user_id)
    assert not mentions_user({"text": "6012345678901234"}, TARGET.user_id)  # free text is not an id
    assert not mentions_user({"sender": {"id": "6012345678901235"}}, TARGET.user_id)


def test_dead_letters_of_another_platform_are_not_theirs():
    fields = {"platform": "twitter", "thread": TARGET.user_id, "data": "{}"}
    assert not dead_letter_is_theirs(fields, TARGET)
    assert dead_letter_is_theirs({**fields, "platform": "facebook"}, TARGET)


def test_tickets_on_another_platform_are_not_theirs():
    ticket = {"id": "t-1", "sender_id": TARGET.user_id, "channel": "twitter_dm", "dossier": {}}
    assert ticket_is_theirs(json.dumps(ticket), TARGET) is None
    assert ticket_is_theirs(json.dumps({**ticket, "channel": "messenger"}), TARGET)["id"] == "t-1"


def test_plan_names_every_index_and_counts_without_ids():
    ikeys, hkeys = IntakeKeys("p"), HandoffKeys("p")
    ticket = json.dumps({"id": "t-1", "sender_id": TARGET.user_id, "channel": "messenger"})
    plan = plan_erasure(TARGET, Inventory(tickets=[("t-1", ticket)]), ikeys, hkeys)
    assert hkeys.ticket("t-1") in plan.delete_keys and hkeys.transcript("t-1") in plan.delete_keys
    assert plan.zrem[hkeys.queue] == ["t-1"] and plan.zrem[hkeys.resolved] == ["t-1"]
    assert hkeys.active(TARGET.user_id) in plan.delete_keys and ikeys.tracker(TARGET.user_id) not in plan.delete_keys
    assert plan.counts["tickets"] == 1 and TARGET.user_id not in json.dumps(plan.counts)
