"""An in-memory AirlineRepository and a small simulator of Rasa's FormAction for action tests.

The simulator does what Rasa does around a `validate_<form>` action: it fills the asked
slot from the text (from_text / from_intent mappings with their not_intent lists, read from
bot/domain/slots.yml), builds the temporary tracker Rasa sends, runs the validation, applies
its events, rejects like Rasa when nothing was filled, asks the next slot (running
`action_ask_<slot>` when there is one) and runs the submit action when the form ends.
"""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.form_specs import CONFIRM_SLOTS, FORMS
from bot.backend.errors import BackendError, NotAllowed, NotFound
from bot.backend.models import (
    BagAddQuote,
    BagFile,
    Booking,
    CheckInResult,
    Flight,
    LoyaltyAccount,
    Passenger,
    Refund,
    RefundQuote,
)
from bot.backend.rules import names_match

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 22)  # a Sunday


def _load_domain() -> Dict[str, Any]:
    domain: Dict[str, Any] = {"slots": {}, "forms": {}, "responses": {}, "session_config": {}}
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text()) or {}
        for key in ("slots", "forms", "responses"):
            domain[key].update(data.get(key) or {})
        if "session_config" in data:
            domain["session_config"] = {"carry_over_slots_to_new_session": data["session_config"]["carry_over_slots_to_new_session"]}
    return domain


DOMAIN = _load_domain()
NOT_A_VALUE: Set[str] = set(DOMAIN["slots"]["booking_ref"]["mappings"][0]["not_intent"])


def render(message: Dict[str, Any]) -> str:
    """The text a message shows the customer (responses filled with their variables)."""
    if message.get("text"):
        return message["text"]
    name = message.get("response")
    template = DOMAIN["responses"][name][0]["text"]
    extras = {k: v for k, v in message.items() if k not in ("text", "response", "template")}
    return template.format(**extras)


def at(day_offset: int, hhmm: str) -> dt.datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return dt.datetime.combine(TODAY + dt.timedelta(days=day_offset), dt.time(hours, minutes))


def flight(number: str, day_offset: int, dep: str, arr: str, origin="LGW", dest="AMS", status="scheduled",
           delay=0) -> Flight:
    departure = at(day_offset, dep)
    return Flight(number, departure.date(), origin, dest, departure, at(day_offset, arr), status, delay,
                  gate="12" if status == "boarding" else None, terminal="North",
                  estimated_departure=departure + dt.timedelta(minutes=delay) if delay else None)


class FakeRepository:
    """Implements bot.backend.repository.AirlineRepository in memory. `fail` breaks everything."""

    def __init__(self) -> None:
        self.fail = False
        self.not_allowed: Dict[str, str] = {}  # operation -> NotAllowed reason
        self.calls: List[str] = []
        self.flights = {("AU451", TODAY): flight("AU451", 0, "09:35", "11:50", status="delayed", delay=95),
                        ("AU457", TODAY): flight("AU457", 0, "22:10", "00:25")}
        self.bookings = {"K7P2QX": Booking(
            "K7P2QX", "j.smith@example.com", "standard", 298.0, "GBP", "confirmed",
            (flight("AU457", 0, "22:10", "23:59"), flight("AU452", 3, "12:20", "12:30", "AMS", "LGW")),
            (Passenger("John", "Smith", ("12A", "14A"), False, 1), Passenger("Emma", "Smith", ("12B", "14B"), False, 1)))}
        self.refunds = {"K7P2QX": [Refund("RF100001", "K7P2QX", 248.0, "GBP", "approved", TODAY, TODAY + dt.timedelta(days=14))]}
        self.bags = {"LGWAU12345": BagFile("LGWAU12345", "Patel", "on_its_way", "Black suitcase",
                                           "With our courier", at(0, "08:30"), at(0, "18:00"))}
        self.accounts = {"100200300": LoyaltyAccount("100200300", "Ada", "Okafor", "gold", 41250, 640)}

    def _enter(self, operation: str) -> None:
        self.calls.append(operation)
        if self.fail:
            raise BackendError("backend down")
        if operation in self.not_allowed:
            raise NotAllowed(self.not_allowed[operation])

    def _booking(self, reference: str, last_name: str) -> Booking:
        booking = self.bookings.get(reference)
        if booking is None or not any(names_match(last_name, p.last_name) for p in booking.passengers):
            raise NotFound("no match")
        return booking

    async def flight_status(self, flight_number: str, date: dt.date) -> Optional[Flight]:
        self._enter("flight_status")
        return self.flights.get((flight_number, date))

    async def find_booking(self, reference: str, last_name: str) -> Booking:
        self._enter("find_booking")
        return self._booking(reference, last_name)

    async def change_seat(self, reference: str, last_name: str, seat: str) -> Booking:
        self._enter("change_seat")
        booking = self._booking(reference, last_name)
        pax = tuple(replace(p, seats=(seat,) + p.seats[1:]) if names_match(last_name, p.last_name) else p
                    for p in booking.passengers[:1]) + booking.passengers[1:]
        self.bookings[reference] = replace(booking, passengers=pax)
        return self.bookings[reference]

    async def quote_cancellation(self, reference: str, last_name: str) -> RefundQuote:
        self._enter("quote_cancellation")
        self._booking(reference, last_name)
        return RefundQuote(reference, 248.0, 50.0, "GBP", "original_payment")

    async def cancel_booking(self, reference: str, last_name: str) -> Refund:
        self._enter("cancel_booking")
        self._booking(reference, last_name)
        self.bookings[reference] = replace(self.bookings[reference], status="cancelled")
        return Refund("RF100009", reference, 248.0, "GBP", "requested", TODAY, TODAY + dt.timedelta(days=14))

    async def refund_status(self, reference: str, last_name: str) -> List[Refund]:
        self._enter("refund_status")
        self._booking(reference, last_name)
        return self.refunds.get(reference, [])

    async def bag_file(self, file_reference: str, last_name: str) -> BagFile:
        self._enter("bag_file")
        bag = self.bags.get(file_reference)
        if bag is None or not names_match(last_name, bag.last_name):
            raise NotFound("no match")
        return bag

    async def loyalty_account(self, member_number: str, last_name: str) -> LoyaltyAccount:
        self._enter("loyalty_account")
        account = self.accounts.get(member_number)
        if account is None or not names_match(last_name, account.last_name):
            raise NotFound("no match")
        return account

    async def update_email(self, reference: str, last_name: str, email: str) -> Booking:
        self._enter("update_email")
        self.bookings[reference] = replace(self._booking(reference, last_name), contact_email=email)
        return self.bookings[reference]

    async def quote_checked_bag(self, reference: str, last_name: str) -> BagAddQuote:
        self._enter("quote_checked_bag")
        self._booking(reference, last_name)
        return BagAddQuote(reference, 35.0, "GBP", 2)

    async def add_checked_bag(self, reference: str, last_name: str) -> Booking:
        self._enter("add_checked_bag")
        booking = self._booking(reference, last_name)
        pax = tuple(replace(p, checked_bags=p.checked_bags + 1) if names_match(last_name, p.last_name) else p
                    for p in booking.passengers)
        self.bookings[reference] = replace(booking, passengers=pax)
        return self.bookings[reference]

    async def check_in(self, reference: str, last_name: str) -> CheckInResult:
        self._enter("check_in")
        self._booking(reference, last_name)
        return CheckInResult(reference, "AU457", ("12A", "12B"), "https://aurora-air.example/bp/K7P2QX")

    async def close(self) -> None:
        return None


def user_event(text: str, intent: str, confidence: float, metadata: Optional[dict],
               input_channel: Optional[str] = None, message_id: Optional[str] = None) -> Dict[str, Any]:
    return {"event": "user", "text": text, "metadata": metadata or {}, "input_channel": input_channel,
            "message_id": message_id,
            "parse_data": {"intent": {"name": intent, "confidence": confidence}, "text": text,
                           "message_id": message_id}}


def make_tracker(slots: Dict[str, Any], events: List[Dict[str, Any]], text: str = "", intent: str = "",
                 confidence: float = 0.95, active_loop: Optional[str] = None,
                 metadata: Optional[dict] = None, message_id: Optional[str] = None) -> Tracker:
    """A rasa_sdk Tracker as the Rasa server would send it."""
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence}, "metadata": metadata or {},
              "intent_ranking": [{"name": intent, "confidence": confidence}], "message_id": message_id}
    return Tracker("test-user", dict(slots), latest, list(events), False, None,
                   {"name": active_loop} if active_loop else {}, events[-1].get("name") if events else None)


def labels(reasons: List[Dict[str, Any]]) -> List[str]:
    """The labels of the Reason JSON in the `handoff_reasons` slot (or the `offer_reason` one)."""
    return [r["raw"] for r in reasons]


def default_slots() -> Dict[str, Any]:
    return {name: spec.get("initial_value") for name, spec in DOMAIN["slots"].items()} | {"requested_slot": None}


class FormConversation:
    """Drives one form's validation, ask and submit actions the way Rasa's FormAction does."""

    def __init__(self, form: str, validator, submit=None, ask_actions=None, slots=None) -> None:
        self.spec = FORMS[form]
        self.validator, self.submit = validator, submit
        self.ask_actions = ask_actions or {}
        self.slots = {**default_slots(), **(slots or {})}
        self.events: List[Dict[str, Any]] = []
        self.active = False
        self.done = False
        self.rejected = False
        self.replies: List[str] = []

    def _apply(self, events: List[Dict[str, Any]]) -> None:
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = copy.deepcopy(event["value"])
            self.events.append(event)

    async def interrupt(self, text: str, intent: str, answered_by: str, confidence: float = 0.95) -> List[str]:
        """A message of another topic: the form must reject it; after `answered_by` it resumes."""
        await self.say(text, intent, confidence)
        assert self.rejected, "the form should have let another action answer"
        return await self.say(text, intent, confidence, after=answered_by)

    async def say(self, text: str, intent: str = "inform", confidence: float = 0.95,
                  metadata: Optional[dict] = None, after: Optional[str] = None) -> List[str]:
        """One customer message; returns the texts the assistant sends. `after`: an action that
        answered this message before the form resumed (an interruption)."""
        form, spec = self.spec.name, self.spec
        self.rejected = False
        history = self.events + [{"event": "action", "name": "action_listen"},
                                 user_event(text, intent, confidence, metadata)]
        candidates: Dict[str, Any] = {}
        activation = not self.active
        if activation:
            history.append({"event": "active_loop", "name": form})
            candidates = {s: self.slots[s] for s in spec.slots if self.slots.get(s) is not None}
        elif after:
            history.append({"event": "action", "name": after})
        else:
            requested = self.slots.get("requested_slot")
            if requested in CONFIRM_SLOTS:
                if intent in ("affirm", "deny"):
                    candidates[requested] = intent == "affirm"
            elif requested and intent not in NOT_A_VALUE:
                candidates[requested] = text
            history += [{"event": "slot", "name": k, "value": v} for k, v in candidates.items()]
        requested = self.slots.get("requested_slot")  # stale at activation, as in Rasa
        events = history + [{"event": "slot", "name": "requested_slot", "value": requested},
                            {"event": "action", "name": form}]
        events += [{"event": "slot", "name": k, "value": v} for k, v in candidates.items()]
        slots = {**self.slots, **candidates}
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(slots, events, text, intent, confidence, form, metadata)
        result = await self.validator.run(dispatcher, tracker, DOMAIN)
        some_slot = any(e.get("event") == "slot" and e.get("name") != "requested_slot" for e in result)
        if not activation and not after and not candidates and not some_slot:
            self.rejected = True  # Rasa: ActionExecutionRejected, other policies take over
            self.replies = [render(m) for m in dispatcher.messages]
            return self.replies
        self._apply([{"event": "action", "name": "action_listen"}, user_event(text, intent, confidence, metadata)])
        if activation:
            self._apply([{"event": "active_loop", "name": form}])
            self.active = True
        self._apply([{"event": "slot", "name": k, "value": v} for k, v in candidates.items()])
        self._apply(result)
        next_slot = next((e["value"] for e in reversed(result) if e.get("name") == "requested_slot"), None)
        messages = list(dispatcher.messages)
        if next_slot is not None:
            ask = self.ask_actions.get(next_slot)
            if ask is not None:
                ask_dispatcher = CollectingDispatcher()
                ask_events = await ask.run(ask_dispatcher, make_tracker(self.slots, self.events, text, intent,
                                                                          confidence, form, metadata), DOMAIN)
                messages += ask_dispatcher.messages
                self._apply(ask_events)
                next_slot = self.slots.get("requested_slot")
                if any(e.get("event") == "active_loop" for e in ask_events):
                    next_slot = None
            else:
                name = f"utter_ask_{form}_{next_slot}"
                messages.append({"response": name if name in DOMAIN["responses"] else f"utter_ask_{next_slot}"})
        if next_slot is None:
            self.active, self.done = False, True
            self._apply([{"event": "active_loop", "name": None}, {"event": "action", "name": form}])
            if self.submit is not None:
                submit_dispatcher = CollectingDispatcher()
                submit_events = await self.submit.run(submit_dispatcher, make_tracker(self.slots, self.events, text, intent, confidence, None, metadata), DOMAIN)
                messages += submit_dispatcher.messages
                self._apply(submit_events)
        self.replies = [render(m) for m in messages]
        return self.replies
