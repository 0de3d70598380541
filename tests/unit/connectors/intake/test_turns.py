"""build_turn: what Rasa is told for each kind of inbound event."""
from __future__ import annotations

from connectors.events import InboundEvent
from connectors.intake.turns import REFERRAL_TEXT, build_turn


def event(kind="message", text="hi", payload=None, attachments=(), platform="facebook", public=False, **meta):
    return InboundEvent(platform, kind, "e1", "u1", "b1", account_id="b1", thread_id="t1", text=text,
                        payload=payload, attachments=list(attachments), timestamp=5,
                        metadata={"public": public, **meta})


def test_text_message_keeps_text_and_puts_attachments_in_metadata():
    turn = build_turn(event(text="  my bag  ", attachments=[{"type": "image", "url": "u"}]))
    assert turn.text == "my bag"
    assert turn.metadata["attachments"] == [{"type": "image", "url": "u"}]
    assert turn.metadata["channel"] == "messenger" and turn.metadata["public"] is False
    assert turn.metadata["platform_event_id"] == "e1" and turn.metadata["thread_id"] == "t1"


def test_payloads_starting_with_slash_are_intents_else_the_title():
    assert build_turn(event("postback", text="Baggage", payload="/ask_baggage_allowance")).text == "/ask_baggage_allowance"
    assert build_turn(event("postback", text="Baggage", payload="MENU_BAGGAGE")).text == "Baggage"
    assert build_turn(event("quick_reply", text="Yes", payload="/affirm")).text == "/affirm"
    assert build_turn(event("quick_reply", text=None, payload="CONFIRM")).text == "CONFIRM"


def test_option_answer_uses_the_mapped_payload():
    turn = build_turn(event(platform="twitter", text="1"), option_payload="/affirm")
    assert turn.text == "/affirm" and turn.metadata["option_payload"] == "/affirm"
    assert turn.metadata["channel"] == "twitter_dm"


def test_mentions_are_public_with_their_metadata():
    turn = build_turn(event(platform="twitter", public=True, tweet_id="99"))
    assert turn.metadata["channel"] == "twitter_mention" and turn.metadata["tweet_id"] == "99"


def test_referral_and_attachment_only():
    assert build_turn(event("referral", text=None, payload="ad-7")).text == REFERRAL_TEXT
    assert build_turn(event("referral", text=None, payload="/booking_lookup")).text == "/booking_lookup"
    turn = build_turn(event(text=None, attachments=[{"type": "image", "url": None}]))
    assert turn.text is None and turn.reason == "attachment_only"
    assert build_turn(event(text="   ")).reason == "empty"
