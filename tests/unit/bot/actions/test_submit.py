"""Submit actions: the real backend query, honest messages for every backend answer."""
import datetime as dt

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import backend
from bot.actions.booking_lookup import ActionSubmitBookingLookup
from bot.actions.change_seat import ActionSubmitChangeSeat
from bot.actions.checkin import ActionSubmitOnlineCheckin
from bot.actions.flight_status import ActionSubmitFlightStatus
from bot.actions.refund_status import ActionSubmitRefundStatus
from bot.backend.seed import seed
from bot.backend.sqlite import SqliteAirlineRepository
from tests.helpers.action_fakes import DOMAIN, default_slots, labels, make_tracker, render

IDENTITY = {"booking_ref": "K7P2QX", "last_name": "Smith"}


async def submit(action, **slots):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({**default_slots(), **slots}, [{"event": "action", "name": "x"}], "yes", "affirm")
    events = await action.run(dispatcher, tracker, DOMAIN)
    return " ".join(render(m) for m in dispatcher.messages), {e["name"]: e.get("value") for e in events if e.get("event") == "slot"}, events


@pytest.mark.asyncio
async def test_flight_status_reports_the_backend_status(repo):
    text, slots, _ = await submit(ActionSubmitFlightStatus(), flight_number="AU451", flight_date="2026-11-22")
    assert "AU451 from London Gatwick (LGW) to Amsterdam (AMS) on Sun 22 Nov is delayed by 1 h 35 min" in text
    assert "11:10" in text and slots["flight_number"] is None and slots["flight_date"] is None


@pytest.mark.asyncio
async def test_booking_summary_lists_flights_passengers_and_a_masked_email(repo):
    text, _, _ = await submit(ActionSubmitBookingLookup(), **IDENTITY)
    assert "AU457" in text and "AU452" in text and "Emma Smith: seats 12B, 14B" in text
    assert "j.smith@example.com" not in text and "j***@example.com" in text


@pytest.mark.asyncio
async def test_nothing_runs_when_the_form_was_stopped(repo):
    text, slots, _ = await submit(ActionSubmitBookingLookup(), form_outcome="too_many_attempts", **IDENTITY)
    assert text == "" and repo.calls == [] and slots["form_outcome"] is None


@pytest.mark.asyncio
async def test_missing_values_do_not_reach_the_backend(repo):
    text, _, _ = await submit(ActionSubmitBookingLookup(), booking_ref="K7P2QX")
    assert text == "" and repo.calls == []


@pytest.mark.asyncio
async def test_backend_error_apologises_and_hands_off(repo):
    repo.fail = True
    text, slots, _ = await submit(ActionSubmitRefundStatus(), **IDENTITY)
    assert "can't reach our booking systems" in text and "person from our team" in text
    assert slots["handoff_active"] is True and labels(slots["handoff_reasons"]) == ["backend_error"]


@pytest.mark.asyncio
async def test_not_found_says_the_details_do_not_match(repo):
    text, slots, _ = await submit(ActionSubmitBookingLookup(), booking_ref="K7P2QX", last_name="Jones")
    assert "don't match a booking" in text and "AU4" not in text
    assert slots["verified_booking"] is None


@pytest.mark.asyncio
async def test_refund_status_reports_the_newest_refund(repo):
    text, _, _ = await submit(ActionSubmitRefundStatus(), **IDENTITY)
    assert "RF100001 of 248.00 GBP has been approved" in text and "by Sun 6 Dec" in text


@pytest.mark.asyncio
async def test_refund_status_without_refunds(repo):
    repo.refunds.clear()
    text, _, _ = await submit(ActionSubmitRefundStatus(), **IDENTITY)
    assert "no refund on this booking" in text


@pytest.mark.asyncio
async def test_seat_taken_names_the_seat(repo):
    repo.not_allowed["change_seat"] = "seat_taken"
    text, _, _ = await submit(ActionSubmitChangeSeat(), seat="12C", **IDENTITY)
    assert "seat 12C is already taken" in text


@pytest.mark.parametrize("reason, words", [
    ("checkin_closed", "have closed"), ("cancelled", "is cancelled"), ("no_upcoming_flight", "already left"),
    ("invalid_seat", "row from 1 to 40"),
])
@pytest.mark.asyncio
async def test_not_allowed_reasons_get_specific_messages(repo, reason, words):
    repo.not_allowed["change_seat"] = reason
    text, slots, _ = await submit(ActionSubmitChangeSeat(), seat="3A", **IDENTITY)
    assert words in text and "handoff_active" not in slots


@pytest.mark.asyncio
async def test_an_unknown_not_allowed_reason_goes_to_a_person(repo):
    repo.not_allowed["check_in"] = "no_seat_available"
    text, slots, _ = await submit(ActionSubmitOnlineCheckin(), **IDENTITY)
    assert slots["handoff_active"] is True and labels(slots["handoff_reasons"]) == ["not_allowed:no_seat_available"]


@pytest.mark.asyncio
async def test_checkin_success_sends_seats_and_boarding_passes(repo):
    text, _, _ = await submit(ActionSubmitOnlineCheckin(), **IDENTITY)
    assert "checked in on AU457, seats 12A, 12B" in text and "https://aurora-air.example/bp/K7P2QX" in text


@pytest.mark.asyncio
async def test_checkin_not_open_says_when_it_opens_with_the_sqlite_backend(tmp_path):
    """Against the seeded demo database: M3R8TW (Garcia) flies AU211 in 3 days at 07:40."""
    today = dt.date.today()
    path = str(tmp_path / "airline.db")
    seed(path, today)
    repository = SqliteAirlineRepository(path)
    backend.set_repository(repository)
    try:
        text, _, _ = await submit(ActionSubmitOnlineCheckin(), booking_ref="M3R8TW", last_name="garcia")
    finally:
        backend.set_repository(None)
        await repository.close()
    opens = dt.datetime.combine(today + dt.timedelta(days=2), dt.time(7, 40))
    assert "Online check-in for AU211" in text and "isn't open yet" in text
    assert f"at 07:40 on {opens.strftime('%a')} {opens.day} {opens.strftime('%b')}" in text


@pytest.mark.asyncio
async def test_an_unexpected_crash_never_reaches_the_customer(repo, monkeypatch):
    async def crash(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(repo, "find_booking", crash)
    text, slots, _ = await submit(ActionSubmitBookingLookup(), **IDENTITY)
    assert "something went wrong on my side" in text and labels(slots["handoff_reasons"]) == ["action_error"]
