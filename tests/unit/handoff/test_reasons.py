"""Typed handoff reasons: the builders' labels and scores, their JSON, old string labels."""
import pytest

from handoff.reasons import (
    Reason,
    at_or_above,
    at_or_below,
    flag,
    legacy_reason,
    reason_from_slot,
    reasons_from_slot,
    scored,
    unique_reasons,
)


def test_builders_write_the_labels_the_service_always_wrote():
    assert scored("route", "diagnostic:report_lost_bag", 0.9712) == Reason(
        "route", 0.97, "diagnostic:report_lost_bag", "route:diagnostic:report_lost_bag@0.97")
    assert at_or_below("frustration", -0.6249, -0.5) == Reason("frustration", 0.62, "-0.62<=-0.50",
                                                                "frustration:-0.62<=-0.50")
    assert at_or_above("reach", 15000, 10000) == Reason("reach", 0.75, "15000>=10000", "reach:15000>=10000")
    assert at_or_above("reach", 48210, 10000).score == 1.0 and at_or_above("reach", 10000, 10000).score == 0.5
    assert flag("clarification_failed") == Reason("clarification_failed", 1.0, "", "clarification_failed")
    assert flag("not_allowed", "seat_taken").raw == "not_allowed:seat_taken"


@pytest.mark.parametrize("reason", [
    scored("route", "diagnostic:report_lost_bag", 0.97), scored("urgency", "safety,injury", 0.95),
    scored("language", "fr", 1.0), scored("vip", "gold", 1.0), scored("intent", "advice_upgrade", 0.47),
    at_or_below("frustration", -0.62, -0.5), at_or_below("negative_sentiment", -0.3, -0.25),
    at_or_below("public_complaint", -0.3, -0.1), at_or_above("reach", 20000, 10000),
    flag("public_unclear", "0.30<0.45,sentiment:-0.05<0.00"), flag("low_confidence", "0.30<0.45"),
    flag("public_channel"), flag("accepted_offer"), flag("invalid_input", "booking_refx3"),
    flag("no_knowledge", "ask_pets"), scored("knowledge_handoff", "none", 0.32),
])
def test_an_old_label_reads_back_as_the_reason_that_wrote_it(reason):
    assert legacy_reason(reason.raw) == reason


def test_legacy_labels_become_scores():
    assert (legacy_reason("route:diagnostic:report_lost_bag@0.97").score, legacy_reason("frustration:-0.62<=-0.50").score,
            legacy_reason("clarification_failed").score) == (0.97, 0.62, 1.0)
    assert legacy_reason("urgency:safety,injury@0.95").detail == "safety,injury"
    assert [r.code for r in reasons_from_slot(["vip:gold@1.00", "vip:gold@1.00", "reach:20000>=10000"])] == [
        "vip", "reach"]


def test_json_round_trip_and_the_slot_holds_json_or_old_labels():
    reason = at_or_above("reach", 15000, 10000)
    assert Reason.from_json(reason.as_json()) == reason
    assert reason.as_json() == {"code": "reach", "score": 0.75, "detail": "15000>=10000", "raw": "reach:15000>=10000"}
    assert reason_from_slot(reason.as_json()) == reason_from_slot("reach:15000>=10000") == reason
    mixed = reasons_from_slot(["route:diagnostic:report_lost_bag@0.97", reason.as_json(), "", None, reason.as_json()])
    assert [r.raw for r in mixed] == ["route:diagnostic:report_lost_bag@0.97", "reach:15000>=10000"]


def test_unique_keeps_the_first_of_each_label():
    first, again = flag("backend_error"), Reason("backend_error", 0.5, "", "backend_error")
    assert unique_reasons([first, flag("action_error"), again]) == (first, flag("action_error"))
