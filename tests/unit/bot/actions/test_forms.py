"""Form validation end to end: extraction, help, three strikes, identity, backend errors."""
import pytest

from bot.actions.bag_claim import ActionSubmitBagClaimStatus, ValidateBagClaimStatusForm
from bot.actions.booking_lookup import ActionSubmitBookingLookup, ValidateBookingLookupForm
from bot.actions.cancel_booking import ActionAskCancelConfirmed, ActionSubmitCancelBooking, ValidateCancelBookingForm
from bot.actions.change_seat import ActionSubmitChangeSeat, ValidateChangeSeatForm
from bot.actions.checked_bag import ActionAskAddBagConfirmed, ActionSubmitAddCheckedBag, ValidateAddCheckedBagForm
from bot.actions.flight_status import ActionSubmitFlightStatus, ValidateFlightStatusForm
from bot.actions.loyalty import ActionSubmitLoyaltyBalance, ValidateLoyaltyBalanceForm
from bot.actions.update_email import ActionSubmitUpdateEmail, ValidateUpdateEmailForm
from tests.helpers.action_fakes import FormConversation, labels

from .conftest import pinned


def flight_form(**slots):
    return FormConversation("flight_status_form", pinned(ValidateFlightStatusForm()), ActionSubmitFlightStatus(), slots=slots)


def lookup_form(**slots):
    return FormConversation("booking_lookup_form", pinned(ValidateBookingLookupForm()), ActionSubmitBookingLookup(), slots=slots)


def joined(replies):
    return " ".join(replies)


@pytest.mark.asyncio
async def test_first_message_with_everything_completes_the_form(repo):
    form = flight_form()
    replies = await form.say("where is flight au451 today?", intent="flight_status")
    assert form.done and "AU451" in joined(replies) and "delayed" in joined(replies)
    assert form.slots["flight_number"] is None, "the request's values are forgotten after the answer"


@pytest.mark.asyncio
async def test_values_in_the_first_message_are_not_asked_again(repo):
    form = flight_form()
    replies = await form.say("status of AU 451 pls", intent="flight_status")
    assert form.slots["flight_number"] == "AU451" and form.slots["requested_slot"] == "flight_date"
    assert "date" in joined(replies).lower()
    replies = await form.say("today")
    assert form.done and "delayed by 1 h 35 min" in joined(replies)


@pytest.mark.asyncio
async def test_step_by_step_with_a_flight_that_does_not_operate(repo):
    form = flight_form()
    assert "AU" in joined(await form.say("what's my flight status", intent="flight_status"))
    await form.say("au 0457")
    replies = await form.say("tmrw")
    assert form.done and "can't find flight AU457 on Mon 23 Nov" in joined(replies)


@pytest.mark.asyncio
async def test_invalid_answer_is_re_asked_with_specific_help(repo):
    form = flight_form()
    await form.say("flight status", intent="flight_status")
    replies = await form.say("BA123")
    assert "BA123 isn't an Aurora Air flight" in replies[0]
    assert form.slots["requested_slot"] == "flight_number" and form.slots["invalid_input"] == {"slot": "flight_number", "count": 1}
    replies = await form.say("the one to amsterdam")
    assert "AU followed by up to 4 digits" in replies[0]
    await form.say("AU451")
    assert form.slots["invalid_input"] is None, "a valid answer resets the count"


@pytest.mark.asyncio
async def test_date_outside_the_window_gets_help(repo):
    form = flight_form()
    await form.say("status of AU451", intent="flight_status")
    replies = await form.say("2020-01-01")
    assert "past week up to a year ahead" in replies[0] and not form.done


@pytest.mark.asyncio
async def test_three_invalid_answers_stop_the_form_and_offer_a_person(repo):
    form = lookup_form()
    await form.say("look up my booking", intent="booking_lookup")
    for _ in range(2):
        replies = await form.say("dunno")
        assert "6 letters and numbers" in replies[0]
    replies = await form.say("no idea mate")
    assert form.done and form.slots["form_outcome"] is None, "the submit action tidied up"
    assert form.slots["person_offered"] is True and "person from our team" in joined(replies)
    assert labels([form.slots["offer_reason"]]) == ["invalid_input:booking_refx3"]
    assert "find_booking" not in repo.calls


@pytest.mark.asyncio
async def test_booking_shown_only_after_reference_and_name_match(repo):
    form = lookup_form()
    replies = await form.say("look up booking K7P2QX", intent="booking_lookup")
    assert "name" in joined(replies).lower()
    replies = await form.say("Jones")
    text = joined(replies)
    assert "match" in text and "AU4" not in text and "Smith" not in text
    assert form.slots["booking_ref"] is None and form.slots["last_name"] is None
    assert form.slots["requested_slot"] == "booking_ref"
    await form.say("K7P2QX")
    replies = await form.say("smith")
    text = joined(replies)
    assert form.done and "Booking K7P2QX" in text and "AU457" in text and "j***@example.com" in text
    assert form.slots["verified_booking"] == {"reference": "K7P2QX", "last_name": "Smith"}


@pytest.mark.asyncio
async def test_three_mismatches_offer_a_person(repo):
    form = lookup_form()
    await form.say("look up my booking", intent="booking_lookup")
    for _ in range(3):
        await form.say("K7P2QX jones")
    assert form.done and form.slots["person_offered"] is True
    assert labels([form.slots["offer_reason"]]) == ["invalid_input:identityx3"]


@pytest.mark.asyncio
async def test_backend_error_during_verification_hands_off(repo):
    repo.fail = True
    form = lookup_form()
    replies = await form.say("booking K7P2QX surname Smith", intent="booking_lookup")
    assert form.done and "can't reach our booking systems" in joined(replies)
    assert form.slots["handoff_active"] is True and labels(form.slots["handoff_reasons"]) == ["backend_error"]
    assert len(replies) == 1, "the submit action adds nothing after the handoff"


@pytest.mark.asyncio
async def test_verified_booking_is_reused_by_a_later_form(repo):
    lookup = lookup_form()
    await lookup.say("K7P2QX smith", intent="booking_lookup")
    assert lookup.done
    carried = {k: v for k, v in lookup.slots.items() if k in ("verified_booking",)}
    repo.calls.clear()
    seat = FormConversation("change_seat_form", pinned(ValidateChangeSeatForm()), ActionSubmitChangeSeat(), slots=carried)
    replies = await seat.say("can you move me to 14C", intent="change_seat")
    assert seat.done and "now 14C" in joined(replies)
    assert repo.calls == ["change_seat"], "no second verification"


@pytest.mark.asyncio
async def test_another_reference_is_not_paired_with_the_verified_name(repo):
    seat = FormConversation("change_seat_form", pinned(ValidateChangeSeatForm()), ActionSubmitChangeSeat(),
                            slots={"verified_booking": {"reference": "K7P2QX", "last_name": "Smith"},
                                   "booking_ref": "K7P2QX", "last_name": "Smith"})
    await seat.say("change seat on booking ABC123", intent="change_seat")
    assert seat.slots["booking_ref"] == "ABC123" and seat.slots["last_name"] is None
    assert seat.slots["requested_slot"] == "last_name"


@pytest.mark.asyncio
async def test_values_of_an_earlier_request_are_forgotten_when_a_form_starts(repo):
    form = flight_form(flight_number="AU1", flight_date="2026-11-22")
    await form.say("flight status please", intent="flight_status")
    assert form.slots["flight_number"] is None and form.slots["requested_slot"] == "flight_number"


@pytest.mark.asyncio
async def test_informational_question_interrupts_and_the_form_resumes(repo):
    form = lookup_form()
    await form.say("look up booking K7P2QX", intent="booking_lookup")
    replies = await form.interrupt("can I bring my dog?", "ask_pets", "action_answer_knowledge")
    assert form.slots["requested_slot"] == "last_name" and form.slots["booking_ref"] == "K7P2QX"
    assert any("last name" in r for r in replies) and form.slots["last_name"] is None


@pytest.mark.asyncio
async def test_weak_other_intent_that_reads_as_the_answer_is_taken(repo):
    form = lookup_form()
    await form.say("look up booking K7P2QX", intent="booking_lookup")
    await form.say("Smith", intent="greet", confidence=0.55)
    assert form.done and form.slots["verified_booking"]["reference"] == "K7P2QX"


@pytest.mark.asyncio
async def test_confident_other_intent_is_not_taken_as_a_value(repo):
    form = lookup_form()
    await form.say("look up booking K7P2QX", intent="booking_lookup")
    await form.say("hello", intent="greet", confidence=0.97)
    assert form.rejected and form.slots["last_name"] is None


@pytest.mark.asyncio
async def test_asking_again_for_the_same_thing_re_asks_instead_of_rejecting(repo):
    form = lookup_form()
    await form.say("look up my booking", intent="booking_lookup")
    replies = await form.say("I said I want to see my booking", intent="booking_lookup")
    assert not form.rejected and form.slots["requested_slot"] == "booking_ref"
    assert "booking reference" in joined(replies)


@pytest.mark.asyncio
async def test_public_mention_is_moved_to_private_messages(repo):
    form = lookup_form()
    replies = await form.say("@AuroraAir look up booking K7P2QX", intent="booking_lookup", metadata={"public": True})
    assert form.done and "direct message" in joined(replies) and repo.calls == []


@pytest.mark.asyncio
async def test_cancellation_shows_the_quote_and_cancels_only_on_yes(repo):
    form = FormConversation("cancel_booking_form", pinned(ValidateCancelBookingForm()), ActionSubmitCancelBooking(),
                            {"cancel_confirmed": ActionAskCancelConfirmed()})
    replies = await form.say("cancel booking K7P2QX, surname smith", intent="cancel_booking")
    text = joined(replies)
    assert "248.00 GBP back" in text and "50.00 GBP cancellation fee" in text and "yes or no" in text
    assert "cancel_booking" not in repo.calls
    replies = await form.say("yes", intent="affirm")
    assert form.done and "RF100009" in joined(replies) and repo.calls[-1] == "cancel_booking"


@pytest.mark.asyncio
async def test_cancellation_declined_changes_nothing(repo):
    form = FormConversation("cancel_booking_form", pinned(ValidateCancelBookingForm()), ActionSubmitCancelBooking(),
                            {"cancel_confirmed": ActionAskCancelConfirmed()})
    await form.say("cancel K7P2QX smith", intent="cancel_booking")
    replies = await form.say("no", intent="deny")
    assert form.done and "haven't cancelled anything" in joined(replies) and "cancel_booking" not in repo.calls


@pytest.mark.asyncio
async def test_cancellation_yes_in_words_the_nlu_missed(repo):
    form = FormConversation("cancel_booking_form", pinned(ValidateCancelBookingForm()), ActionSubmitCancelBooking(),
                            {"cancel_confirmed": ActionAskCancelConfirmed()})
    await form.say("cancel K7P2QX smith", intent="cancel_booking")
    await form.say("yes go ahead and cancel it", intent="cancel_booking")
    assert form.done and repo.calls[-1] == "cancel_booking"


@pytest.mark.asyncio
async def test_cancellation_not_allowed_stops_before_asking(repo):
    repo.not_allowed["quote_cancellation"] = "already_cancelled"
    form = FormConversation("cancel_booking_form", pinned(ValidateCancelBookingForm()), ActionSubmitCancelBooking(),
                            {"cancel_confirmed": ActionAskCancelConfirmed()})
    replies = await form.say("cancel K7P2QX smith", intent="cancel_booking")
    assert form.done and "already cancelled" in joined(replies) and "yes or no" not in joined(replies)


@pytest.mark.asyncio
async def test_extra_bag_quote_then_added(repo):
    form = FormConversation("add_checked_bag_form", pinned(ValidateAddCheckedBagForm()), ActionSubmitAddCheckedBag(),
                            {"add_bag_confirmed": ActionAskAddBagConfirmed()})
    replies = await form.say("add a bag to K7P2QX surname Smith", intent="add_checked_bag")
    assert "35.00 GBP" in joined(replies)
    replies = await form.say("yes please", intent="affirm")
    assert form.done and "You now have 2 checked bags" in joined(replies)


@pytest.mark.asyncio
async def test_update_email_with_an_invalid_then_a_valid_address(repo):
    form = FormConversation("update_email_form", pinned(ValidateUpdateEmailForm()), ActionSubmitUpdateEmail(),
                            slots={"verified_booking": {"reference": "K7P2QX", "last_name": "Smith"}})
    replies = await form.say("change the email on my booking", intent="update_email")
    assert form.slots["booking_ref"] == "K7P2QX" and "new email" in joined(replies)
    replies = await form.say("jo at example dot com")
    assert "name@example.com" in replies[0]
    replies = await form.say("it's Jo.Smith@Example.com")
    assert form.done and "J***@example.com" in joined(replies)


@pytest.mark.asyncio
async def test_bag_claim_status_and_its_own_last_name_question(repo):
    form = FormConversation("bag_claim_status_form", pinned(ValidateBagClaimStatusForm()), ActionSubmitBagClaimStatus())
    replies = await form.say("where is my bag, file lgw au 12345", intent="bag_claim_status")
    assert "last name on the bag report" in joined(replies)
    replies = await form.say("Patel")
    assert form.done and "on its way" in joined(replies)


@pytest.mark.asyncio
async def test_loyalty_mismatch_then_match(repo):
    form = FormConversation("loyalty_balance_form", pinned(ValidateLoyaltyBalanceForm()), ActionSubmitLoyaltyBalance())
    await form.say("my miles please, member 100 200 300", intent="loyalty_balance")
    replies = await form.say("Smith")
    assert "don't match an Aurora Miles account" in joined(replies) and form.slots["member_number"] is None
    await form.say("100200300")
    replies = await form.say("okafor")
    assert form.done and "41,250 miles" in joined(replies)
    assert form.slots["loyalty_tier"] == "gold"  # remembered for the VIP handoff trigger


@pytest.mark.asyncio
async def test_an_unexpected_error_in_validation_hands_off(repo, monkeypatch):
    validator = pinned(ValidateFlightStatusForm())

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(validator, "_value_in_message", broken)
    form = FormConversation("flight_status_form", validator, ActionSubmitFlightStatus())
    replies = await form.say("status of AU451 today", intent="flight_status")
    assert form.done and "something went wrong on my side" in joined(replies)
    assert labels(form.slots["handoff_reasons"]) == ["action_error"]


@pytest.mark.asyncio
async def test_a_name_misread_as_yes_is_still_taken_as_the_name(repo):
    form = FormConversation("loyalty_balance_form", pinned(ValidateLoyaltyBalanceForm()), ActionSubmitLoyaltyBalance())
    await form.say("miles balance for 100200300", intent="loyalty_balance")
    replies = await form.say("okafor", intent="affirm", confidence=0.88)
    assert form.done and "41,250 miles" in joined(replies)


@pytest.mark.asyncio
async def test_no_or_dunno_as_an_answer_counts_as_an_invalid_answer(repo):
    form = lookup_form()
    await form.say("look up my booking", intent="booking_lookup")
    replies = await form.say("dunno", intent="deny", confidence=0.64)
    assert not form.rejected and "6 letters and numbers" in replies[0]
    assert form.slots["invalid_input"] == {"slot": "booking_ref", "count": 1}
