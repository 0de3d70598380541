"""public_safe: personal data never reaches a public X reply."""
from __future__ import annotations

import pytest

from connectors.twitter.privacy import public_safe


@pytest.mark.parametrize("text", [
    "Your booking K7P2QX is confirmed.",
    "Booking ref 482913 found.",
    "We emailed mara@example.com a receipt.",
    "Call us back on +44 20 7946 0958.",
    "Bag file LGWAU12345 is on its way.",
    "Bag file lgw au 12345 is on its way.",
    "Aurora Miles number 100 200 300 has 12,000 miles.",
    "See https://aurora.example/manage/K7P2QX for details.",
])
def test_personal_data_is_found_and_redacted(text):
    ok, redacted = public_safe(text)
    assert not ok
    assert "***" in redacted
    for secret in ("K7P2QX", "482913", "mara@example.com", "7946", "12345", "100 200 300"):
        assert secret not in redacted


@pytest.mark.parametrize("text", [
    "Flight AU451 is on time; AU1234 boards at gate C3.",
    "Checked bags: 1x23kg, cabin bags up to 55cm. Liquids 100ml.",
    "Our team is here 8am-8pm, 7 days a week.",
    "Your flight on 2024-05-31 departs at 07:10.",
    "Sorry to hear that! We're looking into it.",
])
def test_ordinary_answers_are_public_safe(text):
    assert public_safe(text) == (True, text)


def test_known_personal_values_are_withheld_as_whole_words():
    ok, redacted = public_safe("Thanks Mr Okafor, we'll check.", ["Okafor", "", None])
    assert not ok and "Okafor" not in redacted
    assert public_safe("Thanks, we'll check.", ["Okafor"])[0]
    assert public_safe("The Leeward terminal", ["Lee"])[0]  # not inside another word
