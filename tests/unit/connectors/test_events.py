"""The shared event dataclasses: safe repr, JSON round trip, structural helpers."""
import json

import pytest

from connectors.events import IgnoredEvent, InboundEvent, StandbyEvent, event_from_dict
from connectors.security import MalformedPayload
from connectors.structure import as_list, opt_int, require_id, stable_id


def make_inbound():
    return InboundEvent(
        "facebook", "message", "m_1", "psid-1", "page-1", account_id="page-1", thread_id="psid-1",
        text="my secret booking QX7P2L", payload="PAY", attachments=[{"type": "image", "url": "u"}],
        timestamp=1, metadata={"public": False, "note": "private"},
    )


def test_repr_leaves_out_personal_data():
    text = repr(make_inbound())
    assert "QX7P2L" not in text and "PAY" not in text and "private" not in text
    assert "m_1" in text and "psid-1" in text
    standby = StandbyEvent("facebook", "message", "psid-1", "page-1", text="hidden words")
    assert "hidden words" not in repr(standby)


@pytest.mark.parametrize(
    "event",
    [
        make_inbound(),
        IgnoredEvent("twitter", "own_dm", platform_event_id="1", sender_id="2", metadata={"recipient_id": "3"}),
        StandbyEvent("facebook", "echo", "page", "psid", text="t", metadata={"app_id": "9"}),
    ],
)
def test_to_dict_is_json_safe_and_round_trips(event):
    data = json.loads(json.dumps(event.to_dict()))
    assert event_from_dict(data) == event


def test_event_from_dict_rejects_unknown_tag():
    with pytest.raises(ValueError):
        event_from_dict({"type": "other"})


def test_is_public():
    assert not make_inbound().is_public
    assert InboundEvent("twitter", "mention", "1", "2", "3", metadata={"public": True}).is_public


def test_structure_helpers():
    assert require_id({"id": 12}, "id", "x") == "12"
    with pytest.raises(MalformedPayload) as caught:
        require_id({"id": True}, "id", "entry[0].sender")
    assert caught.value.path == "entry[0].sender.id"
    with pytest.raises(MalformedPayload) as caught:
        require_id(None, "id", "entry[0].sender")
    assert caught.value.path == "entry[0].sender"
    with pytest.raises(MalformedPayload):
        as_list({"a": 1}, "entry")
    assert opt_int({"t": "123"}, "t") == 123
    assert opt_int({"t": "12a"}, "t") is None
    assert stable_id("p", "a", 1) == stable_id("p", "a", 1) != stable_id("p", "a", 2)
    assert stable_id("p", "ab", "c") != stable_id("p", "a", "bc")
