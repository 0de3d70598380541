"""Messenger webhook parsing over the project's own fixtures, field by field."""
import copy

import pytest

from connectors.events import IgnoredEvent, InboundEvent, RejectedEvent, StandbyEvent
from connectors.facebook import events as fb_events
from connectors.facebook import parse_webhook
from connectors.security import MalformedPayload, UnsupportedObject
from connectors.structure import stable_id
from tests.helpers.fixtures import fixture_names, load_fixture

PAGE = "108412345678901"
APP = "2233445566778899"
INBOX = "263902037430900"
U1 = "6012345678901234"
U2 = "6098765432109876"


def parse(name):
    return parse_webhook(load_fixture("messenger", name))


def test_text_message():
    [event] = parse("text")
    assert event == InboundEvent(
        platform="facebook", kind="message", platform_event_id="m_sc-text-0001",
        sender_id=U1, recipient_id=PAGE, account_id=PAGE, thread_id=U1,
        text="Bonjour! My flight SK204 was annul\u00e9 \u2014 can I rebook?", payload=None,
        attachments=[], timestamp=1717000000321, metadata={"public": False},
    )


def test_quick_reply_keeps_text_and_payload():
    [event] = parse("quick_reply")
    assert event.kind == "quick_reply"
    assert event.text == "Rebook me"
    assert event.payload == "REBOOK_FLIGHT:SK204"
    assert event.platform_event_id == "m_sc-qr-0001"
    assert event.metadata == {"public": False, "quick_reply": {"payload": "REBOOK_FLIGHT:SK204"}}


def test_postback_title_is_text_payload_kept_referral_in_metadata():
    [event] = parse("postback")
    assert event == InboundEvent(
        platform="facebook", kind="postback", platform_event_id="m_sc-pb-0001",
        sender_id=U1, recipient_id=PAGE, account_id=PAGE, thread_id=U1,
        text="Check my bag", payload="BAG_STATUS", attachments=[], timestamp=1717000200321,
        metadata={"public": False, "title": "Check my bag",
                  "referral": {"ref": "bag-campaign", "source": "SHORTLINK", "type": "OPEN_THREAD"}},
    )


def test_postback_without_mid_gets_stable_id():
    body = load_fixture("messenger", "batched")
    first = parse_webhook(body)[1]
    again = parse_webhook(copy.deepcopy(body))[1]
    assert first.kind == "postback"
    assert first.platform_event_id == again.platform_event_id
    assert first.platform_event_id == stable_id("fbpostback", U1, 1717001200200, "MENU_BAGGAGE")
    body["entry"][0]["messaging"][1]["postback"]["payload"] = "MENU_OTHER"
    assert parse_webhook(body)[1].platform_event_id != first.platform_event_id


def test_attachment_only_has_no_text():
    [event] = parse("attachment_only")
    assert event.kind == "message"
    assert event.text is None
    assert event.payload is None
    assert event.attachments == [
        {"type": "image", "url": "https://scontent.example.invalid/v/t1/boarding-pass.jpg"},
        {"type": "image", "url": "https://scontent.example.invalid/v/t39/thumbs-up.png",
         "sticker_id": "369239263222822"},
    ]


def test_text_and_attachment_keeps_both_apart():
    [event] = parse("text_and_attachment")
    assert event.text == "Here is my receipt for the hotel"
    assert event.attachments == [{"type": "file", "url": "https://cdn.example.invalid/receipt-8841.pdf"}]


def test_other_attachment_types():
    events = parse("attachments_other")
    assert [e.platform_event_id for e in events] == [
        "m_sc-audio-0001", "m_sc-video-0001", "m_sc-loc-0001", "m_sc-fallback-0001"]
    assert all(e.text is None and e.sender_id == U2 for e in events)
    assert [e.attachments for e in events] == [
        [{"type": "audio", "url": "https://cdn.example.invalid/voice-note.mp4"}],
        [{"type": "video", "url": "https://cdn.example.invalid/broken-suitcase.mp4"}],
        [{"type": "location", "url": "https://maps.example.invalid/?q=gate-b12", "title": "Gate B12",
          "coordinates": {"lat": 55.6295, "long": 12.6468}}],
        [{"type": "fallback", "url": "https://news.example.invalid/eu261", "title": "Delay compensation rules"}],
    ]


def test_referral_item():
    [event] = parse("referral")
    assert event.kind == "referral"
    assert event.text is None
    assert event.payload == "summer-sale"
    assert event.sender_id == U2 and event.timestamp == 1717000600321
    assert event.metadata == {"public": False, "referral": {
        "ref": "summer-sale", "source": "ADS", "type": "OPEN_THREAD", "ad_id": "23851234567890123"}}
    assert event.platform_event_id.startswith("fbreferral:")


def test_echoes_are_ignored_with_app_id():
    ours, agent = parse("echo")
    assert ours == IgnoredEvent(
        platform="facebook", reason="echo", detail=None, platform_event_id="m_sc-echo-0001",
        sender_id=PAGE, account_id=PAGE, timestamp=1717000700100,
        metadata={"app_id": APP, "mid": "m_sc-echo-0001", "recipient_id": U1, "send_metadata": "sc:reply:42"},
    )
    assert agent.reason == "echo"
    assert agent.metadata["app_id"] == INBOX  # a human agent typing in Page Inbox
    assert "text" not in agent.metadata


def test_delivery_and_read_are_ignored():
    [delivery] = parse("delivery")
    assert delivery.reason == "delivery"
    assert delivery.metadata == {"mids": ["m_sc-echo-0001"], "watermark": 1717000800300}
    [read] = parse("read")
    assert read == IgnoredEvent(platform="facebook", reason="read", sender_id=U1, account_id=PAGE,
                                timestamp=1717000900321, metadata={"watermark": 1717000900300})


def test_standby_items():
    message, echo, postback, read = parse("standby")
    assert message == StandbyEvent(
        platform="facebook", kind="message", sender_id=U1, recipient_id=PAGE, account_id=PAGE,
        platform_event_id="m_sc-sb-0001", text="Are you still there?", timestamp=1717001000100,
        metadata={"public": False},
    )
    assert isinstance(echo, StandbyEvent) and echo.kind == "echo"
    assert echo.text == "Yes, checking your booking now."
    assert echo.metadata["app_id"] == INBOX and echo.recipient_id == U1
    assert isinstance(postback, StandbyEvent) and postback.kind == "postback"
    assert postback.payload is None and postback.text == "Talk to an agent"
    assert isinstance(read, IgnoredEvent) and read.reason == "read"


def test_handover_events():
    passed, taken, requested = parse("handover")
    assert all(isinstance(e, IgnoredEvent) and e.reason == "handover" for e in (passed, taken, requested))
    assert passed.detail == "pass_thread_control"
    assert passed.metadata == {"handover": {"action": "pass_thread_control", "new_owner_app_id": APP,
                                            "previous_owner_app_id": INBOX, "metadata": "agent marked done"}}
    assert taken.metadata["handover"]["new_owner_app_id"] == INBOX
    assert requested.metadata["handover"] == {"action": "request_thread_control",
                                              "requested_owner_app_id": INBOX,
                                              "metadata": "customer asked for a human"}
    assert passed.sender_id == U1 and passed.platform_event_id.startswith("fbhandover:")


def test_batch_every_entry_every_item_in_order():
    events = parse("batched")
    assert [(type(e).__name__, getattr(e, "kind", None) or e.reason) for e in events] == [
        ("InboundEvent", "message"), ("InboundEvent", "postback"), ("InboundEvent", "quick_reply"),
        ("InboundEvent", "message"), ("IgnoredEvent", "delivery"), ("InboundEvent", "message"),
    ]
    assert [e.timestamp for e in events] == sorted(e.timestamp for e in events)
    assert events[0].text == "First question" and events[5].text == "Second user, second line"
    assert events[3].text is None and events[3].attachments[0]["type"] == "image"
    assert events[1].text == "Baggage" and events[1].payload == "MENU_BAGGAGE"
    assert events[2].payload == "CONFIRM_YES"


def test_every_fixture_parses():
    for name in fixture_names("messenger"):
        assert parse(name), name


def test_int_ids_are_strings():
    body = load_fixture("messenger", "text")
    body["entry"][0]["id"] = int(PAGE)
    body["entry"][0]["messaging"][0]["sender"]["id"] = int(U1)
    [event] = parse_webhook(body)
    assert event.sender_id == U1 and event.account_id == PAGE


def test_feed_changes_and_unknown_items_are_unsupported():
    body = {"object": "page", "entry": [{"id": PAGE, "time": 1, "changes": [{"field": "feed", "value": {}}],
            "messaging": [{"sender": {"id": U1}, "recipient": {"id": PAGE}, "timestamp": 5,
                           "reaction": {"reaction": "love", "mid": "m_x", "action": "react"}}]}]}
    reaction, feed = parse_webhook(body)
    assert (reaction.reason, reaction.detail) == ("unsupported", "reaction")
    assert (feed.reason, feed.detail) == ("unsupported", "changes:feed")


@pytest.mark.parametrize("obj", ["instagram", "user", None, 7])
def test_unknown_object_raises(obj):
    body = load_fixture("messenger", "text")
    body["object"] = obj
    with pytest.raises(UnsupportedObject):
        parse_webhook(body)


def _mutate(path_setter):
    body = load_fixture("messenger", "batched")
    path_setter(body)
    return body


@pytest.mark.parametrize(
    "mutate, path",
    [
        (lambda b: b.pop("entry"), "entry"),
        (lambda b: b.update(entry={"id": PAGE}), "entry"),
    ],
)
def test_malformed_body_names_path(mutate, path):
    with pytest.raises(MalformedPayload) as caught:
        parse_webhook(_mutate(mutate))
    assert caught.value.path == path


@pytest.mark.parametrize(
    "mutate, item_path, problem_path",
    [
        (lambda b: b["entry"].__setitem__(1, "oops"), "entry[1]", "entry[1]"),
        (lambda b: b["entry"][0].update(messaging={"a": 1}), "entry[0].messaging", "entry[0].messaging"),
        (lambda b: b["entry"][1].update(standby="x"), "entry[1].standby", "entry[1].standby"),
        (lambda b: b["entry"][0]["messaging"][1].pop("sender"), "entry[0].messaging[1]",
         "entry[0].messaging[1].sender"),
        (lambda b: b["entry"][0]["messaging"][1]["sender"].pop("id"), "entry[0].messaging[1]",
         "entry[0].messaging[1].sender.id"),
        (lambda b: b["entry"][0]["messaging"][0].update(message="text"), "entry[0].messaging[0]",
         "entry[0].messaging[0].message"),
        (lambda b: b["entry"][1]["messaging"][0]["message"].update(attachments={"type": "image"}),
         "entry[1].messaging[0]", "entry[1].messaging[0].message.attachments"),
        (lambda b: b["entry"][1]["messaging"][0]["message"]["attachments"].append(3),
         "entry[1].messaging[0]", "entry[1].messaging[0].message.attachments[1]"),
        (lambda b: b["entry"][0]["messaging"][2]["message"].update(quick_reply="CONFIRM"),
         "entry[0].messaging[2]", "entry[0].messaging[2].message.quick_reply"),
        (lambda b: b["entry"][1]["messaging"][1].update(delivery=[1]), "entry[1].messaging[1]",
         "entry[1].messaging[1].delivery"),
    ],
)
def test_unusable_item_is_rejected_alone(mutate, item_path, problem_path):
    """One bad item becomes a RejectedEvent naming it; the rest of the batch is parsed."""
    whole = parse("batched")
    events = parse_webhook(_mutate(mutate))
    [rejected] = [e for e in events if isinstance(e, RejectedEvent)]
    assert rejected.platform == "facebook" and rejected.path == item_path
    assert rejected.reason.startswith(f"malformed:{problem_path}: ")
    assert rejected.item is not None or item_path.endswith("]")
    kept = [e for e in events if not isinstance(e, RejectedEvent)]
    assert kept and all(e in whole for e in kept)
    assert any(isinstance(e, InboundEvent) for e in kept)
    assert "item=" not in repr(rejected)  # personal data stays out of logs


def test_senderless_documented_events_are_ignored_and_the_batch_kept():
    good = load_fixture("messenger", "text")["entry"][0]["messaging"][0]
    items = [
        {"recipient": {"id": PAGE}, "timestamp": 5, "app_roles": {APP: ["primary_receiver"]}},
        {"recipient": {"id": PAGE}, "timestamp": 6, "policy-enforcement": {"action": "block", "reason": "r"}},
        {"recipient": {"id": PAGE}, "timestamp": 7, "optin": {"ref": "x", "user_ref": "ur-1"}},
        {"recipient": {"id": PAGE}, "timestamp": 8, "message": {"mid": "m_nosender", "text": "hi"}},
        good,
    ]
    events = parse_webhook({"object": "page", "entry": [{"id": PAGE, "time": 1, "messaging": items}]})
    assert [getattr(e, "detail", None) for e in events[:3]] == ["app_roles", "policy_enforcement", "optin"]
    assert all(isinstance(e, IgnoredEvent) and e.reason == "unsupported" for e in events[:3])
    assert events[1].metadata == {"action": "block"}
    assert isinstance(events[3], RejectedEvent) and events[3].path == "entry[0].messaging[3]"
    assert events[3].reason == "malformed:entry[0].messaging[3].sender: expected an object"
    assert isinstance(events[4], InboundEvent) and events[4].text == good["message"]["text"]


def test_a_parser_bug_in_one_item_rejects_that_item_only(monkeypatch):
    real = fb_events._postback

    def broken(postback, ctx):
        if postback.get("payload") == "BROKEN":
            raise KeyError("boom")
        return real(postback, ctx)

    monkeypatch.setattr(fb_events, "_postback", broken)
    items = [{"sender": {"id": U1}, "recipient": {"id": PAGE}, "timestamp": 1, "postback": {"payload": p}}
             for p in ("BROKEN", "/greet")]
    bad, good = parse_webhook({"object": "page", "entry": [{"id": PAGE, "time": 1, "messaging": items}]})
    assert isinstance(bad, RejectedEvent) and bad.reason == "parser_error:KeyError"
    assert isinstance(good, InboundEvent) and good.payload == "/greet"


@pytest.mark.parametrize("body", [None, [], "page", 3])
def test_non_object_body_is_malformed(body):
    with pytest.raises(MalformedPayload):
        parse_webhook(body)
