"""Stop, goodbye, a bare value outside a form, and the session start."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.conversation import ActionGoodbye, ActionRouteInform, ActionSessionStart, ActionStop
from tests.helpers.action_fakes import DOMAIN, default_slots, make_tracker, render


async def run(action, text="stop", intent="stop", slots=None, active_loop=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({**default_slots(), **(slots or {})}, [{"event": "action", "name": "action_listen"}],
                           text, intent, 0.9, active_loop)
    events = await action.run(dispatcher, tracker, DOMAIN)
    return " ".join(render(m) for m in dispatcher.messages), events


def slot_events(events):
    return {e["name"]: e.get("value") for e in events if e.get("event") == "slot"}


@pytest.mark.asyncio
async def test_stop_ends_the_form_and_says_nothing_changed():
    text, events = await run(ActionStop(), active_loop="cancel_booking_form",
                             slots={"booking_ref": "K7P2QX", "requested_slot": "cancel_confirmed"})
    assert "Nothing has been changed" in text
    assert {"event": "active_loop", "name": None} in [{"event": e["event"], "name": e.get("name")} for e in events]
    assert slot_events(events)["booking_ref"] is None and slot_events(events)["requested_slot"] is None


@pytest.mark.asyncio
async def test_stop_with_nothing_going_on():
    text, _ = await run(ActionStop())
    assert text == "OK. Is there anything else I can help with?"


@pytest.mark.asyncio
async def test_goodbye_closes_an_open_form():
    text, events = await run(ActionGoodbye(), "bye", "goodbye", active_loop="flight_status_form",
                             slots={"flight_number": "AU451"})
    assert "Have a good day" in text and slot_events(events)["flight_number"] is None


@pytest.mark.parametrize("text, form", [
    ("K7P2QX", "booking_lookup_form"), ("AU451 tomorrow", "flight_status_form"),
    ("LGWAU12345", "bag_claim_status_form"), ("100200300", "loyalty_balance_form"),
    ("14C please", "change_seat_form"), ("jo@example.com", "update_email_form"), ("tomorrow", "flight_status_form"),
])
@pytest.mark.asyncio
async def test_a_bare_value_starts_the_form_it_belongs_to(text, form):
    _, events = await run(ActionRouteInform(), text, "inform")
    assert events[-1] == {"event": "followup", "name": form, "timestamp": None}


@pytest.mark.asyncio
async def test_a_value_that_belongs_nowhere_asks_what_to_do():
    text, events = await run(ActionRouteInform(), "Smith", "inform")
    assert "What would you like me to do with that" in text and events == []


@pytest.mark.asyncio
async def test_session_start_carries_over_the_customer_not_unfinished_requests():
    _, events = await run(ActionSessionStart(), slots={
        "verified_booking": {"reference": "K7P2QX", "last_name": "Smith"}, "handoff_active": True,
        "requested_slot": "seat", "seat": "14C", "invalid_input": {"slot": "seat", "count": 2},
        "triage_decision": {"version": 1, "message_id": "m-1"}})
    assert events[0]["event"] == "session_started" and events[-1]["name"] == "action_listen"
    carried = slot_events(events)
    assert carried == {"verified_booking": {"reference": "K7P2QX", "last_name": "Smith"}, "handoff_active": True}
