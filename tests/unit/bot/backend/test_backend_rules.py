"""Pure airline rules: normalisation, fare rules, check-in windows, seats."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.backend import rules


@pytest.mark.parametrize("given, stored", [
    ("o'neill", "O'Neill"), ("  SMITH ", "Smith"), ("lefevre", "Lefèvre"),
    ("MÜLLER", "Müller"), ("van  der   berg", "van der Berg"), ("O\u2019Neill", "O'Neill"),
])
def test_names_match_ignores_case_accents_and_whitespace(given: str, stored: str) -> None:
    assert rules.names_match(given, stored)


@pytest.mark.parametrize("given", ["", "   ", "Smyth", "Smith-Jones"])
def test_names_do_not_match_other_or_empty_names(given: str) -> None:
    assert not rules.names_match(given, "Smith")


@pytest.mark.parametrize("value, expected", [
    ("k7p2qx", "K7P2QX"), (" K7P 2QX ", "K7P2QX"), ("K7P-2QX", "K7P2QX"),
    ("K7P2Q", None), ("K7P2QXX", None), ("K7P2Q!", None), ("", None),
])
def test_normalize_reference(value: str, expected: str) -> None:
    assert rules.normalize_reference(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("AU451", "AU451"), ("au 451", "AU451"), ("AU0451", "AU451"), ("au1", "AU1"),
    ("BA451", None), ("AU", None), ("AU12345", None), ("451", None),
])
def test_normalize_flight_number(value: str, expected: str) -> None:
    assert rules.normalize_flight_number(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("14c", "14C"), (" 07 C", "7C"), ("1A", "1A"), ("40F", "40F"),
    ("41A", None), ("0A", None), ("12G", None), ("C14", None), ("", None),
])
def test_normalize_seat(value: str, expected: str) -> None:
    assert rules.normalize_seat(value) == expected


def test_other_identifier_formats() -> None:
    assert rules.normalize_bag_file("lgw au 12345") == "LGWAU12345"
    assert rules.normalize_bag_file("LGWBA12345") is None
    assert rules.normalize_member_number("100 200 300") == "100200300"
    assert rules.normalize_member_number("10020030") is None
    assert rules.normalize_email("  a.b@example.com ") == "a.b@example.com"
    assert rules.normalize_email("not-an-email") is None
    assert rules.normalize_email("a@b") is None


def test_refund_amounts_follow_the_fare_rules() -> None:
    assert rules.refund_amounts("flex", 246.0, 26.0) == (246.0, 0.0)
    assert rules.refund_amounts("standard", 298.0, 64.2) == (248.0, 50.0)
    assert rules.refund_amounts("light", 158.0, 42.6) == (42.6, 0.0)
    assert rules.refund_amounts("light", 158.0, 42.6, full_refund=True) == (158.0, 0.0)
    assert rules.refund_amounts("standard", 30.0, 10.0) == (0.0, 30.0)
    with pytest.raises(ValueError):
        rules.refund_amounts("business", 1.0, 0.0)


def test_checkin_window_opens_24h_and_closes_1h_before() -> None:
    dep = dt.datetime(2025, 6, 10, 22, 10)
    assert rules.checkin_state(dep, dep - dt.timedelta(hours=24, minutes=1)) == "not_open"
    assert rules.checkin_state(dep, dep - dt.timedelta(hours=24)) == "open"
    assert rules.checkin_state(dep, dep - dt.timedelta(hours=1, minutes=1)) == "open"
    assert rules.checkin_state(dep, dep - dt.timedelta(hours=1)) == "closed"
    assert rules.checkin_state(dep, dep + dt.timedelta(hours=1)) == "closed"


def test_free_cancellation_needs_24h_and_7_days_notice() -> None:
    booked = dt.datetime(2025, 6, 9, 20, 0)
    far, near = dt.datetime(2025, 6, 17, 8, 50), dt.datetime(2025, 6, 12, 8, 50)
    assert rules.free_cancellation_applies(booked, far, booked + dt.timedelta(hours=23))
    assert not rules.free_cancellation_applies(booked, far, booked + dt.timedelta(hours=25))
    assert not rules.free_cancellation_applies(booked, near, booked + dt.timedelta(hours=1))


def test_first_free_seat_skips_taken_and_wraps() -> None:
    assert rules.first_free_seat(set()) == "20A"
    assert rules.first_free_seat({"20A", "20B"}) == "20C"
    everything_from_20 = {f"{r}{c}" for r in range(20, 41) for c in "ABCDEF"}
    assert rules.first_free_seat(everything_from_20) == "1A"
    assert rules.first_free_seat({f"{r}{c}" for r in range(1, 41) for c in "ABCDEF"}) is None
