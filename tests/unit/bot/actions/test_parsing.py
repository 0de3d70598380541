"""Pure parsers: what customers type -> normalised values (or None)."""
import datetime as dt

import pytest

from bot.actions import parsing as p

TODAY = dt.date(2026, 11, 22)  # a Sunday


@pytest.mark.parametrize("text, expected", [
    ("K7P2QX", "K7P2QX"), ("k7p2qx", "K7P2QX"), ("k7p 2qx", "K7P2QX"), ("K7P-2QX", "K7P2QX"),
    ("it's K7P2QX", "K7P2QX"), ("its q3xr7t", "Q3XR7T"), ("ref is ABC123", "ABC123"),
    ("my booking ref is TW9K2L", "TW9K2L"), ("ref: hx7p3a", "HX7P3A"), ("reference = 6YDF2K", "6YDF2K"),
    ("W3PL9H is my ref", "W3PL9H"), ("4LQ9WE thanks", "4LQ9WE"), ("pnr B8VN4C", "B8VN4C"),
    ("QWERTY", "QWERTY"), ("123456", "123456"), ("  K7P2QX.  ", "K7P2QX"),
    ("thanks", None), ("cancel", None), ("please", None), ("flight", None), ("K7P2Q", None),
    ("K7P2QXX", None), ("", None), (None, None), ("I don't have it", None), ("K7P2Q!", None),
])
def test_parse_booking_reference(text, expected):
    assert p.parse_booking_reference(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("look up booking K7P2QX pls", "K7P2QX"), ("K7P2QX smith", "K7P2QX"),
    ("booking number M5TQ2R", "M5TQ2R"), ("change seat on k7p2qx to 14C", "K7P2QX"),
    ("ref QWERTY please", "QWERTY"), ("yes the ref is 5GQW2H", "5GQW2H"),
    ("status of AU 451 tmrw", None), ("my flight AU1234", None), ("LGWAU12345", None),
    ("please cancel my flight", None), ("hello there friend", None), ("booking status please", None),
])
def test_find_booking_reference(text, expected):
    assert p.find_booking_reference(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("AU123", "AU123"), ("au 0451", "AU451"), ("status of AU 451 tmrw pls", "AU451"),
    ("flight AU0088", "AU88"), ("AU7", "AU7"), ("its au1207", "AU1207"), ("AU-451", "AU451"),
    ("where is flight au451 tomorrow", "AU451"), ("LGWAU12345", None), ("AU12345", None),
    ("beau 12", None), ("AU0", None), ("BA123", None), ("", None),
])
def test_find_flight_number(text, expected):
    assert p.find_flight_number(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("451", "AU451"), ("0451", "AU451"), ("flight 88", "AU88"), ("AU 2201", "AU2201"),
    ("BA123", None), ("hello", None), ("12345", None),
])
def test_parse_flight_number(text, expected):
    assert p.parse_flight_number(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("BA123", "BA123"), ("flight FR1234 today", "FR1234"), ("EZY 8741", "EZY8741"), ("U2 123", "U2123"),
    ("AU451", None), ("is 12", None), ("my seat is 12", None), ("K7P2QX", None), ("row 12", None),
])
def test_find_other_airline_flight(text, expected):
    assert p.find_other_airline_flight(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("14C", "14C"), ("14c", "14C"), ("07c", "7C"), ("window seat 3A", "3A"), ("row 12 seat C", "12C"),
    ("seat 1A please", "1A"), ("aisle 18D", "18D"), ("15A and 15B", "15A"), ("seat 1 A", "1A"),
    ("40F", "40F"), ("41A", None), ("12G", None), ("0A", None), ("2nd", None), ("window", None),
])
def test_parse_seat(text, expected):
    assert p.parse_seat(text) == expected


def test_find_seat_ignores_booking_references():
    assert p.find_seat("TW9K2L jones 14C") == "14C"
    assert p.find_seat("K7P2QX") is None


@pytest.mark.parametrize("text, expected", [
    ("jo.smith@example.com", "jo.smith@example.com"), ("my email is sam.p@example.org", "sam.p@example.org"),
    ("email: M.Kaur@Example.CO.UK", "M.Kaur@example.co.uk"), ("new email is dan.o@example.com", "dan.o@example.com"),
    ("its chris_walsh@example.com!", "chris_walsh@example.com"), ("a@b", None), ("not an email", None),
    ("jo..smith@example.com", None), ("@example.com", None),
])
def test_find_email(text, expected):
    assert p.find_email(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("LGWAU12345", "LGWAU12345"), ("lgwau12345", "LGWAU12345"), ("file ref MANAU30412", "MANAU30412"),
    ("edi au 55102", "EDIAU55102"), ("the file number is DUBAU40218", "DUBAU40218"), ("LGW-AU-12345", "LGWAU12345"),
    ("LGWAU1234", None), ("LGWBA12345", None), ("AU12345", None),
])
def test_find_bag_file_reference(text, expected):
    assert p.find_bag_file_reference(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("482019375", "482019375"), ("member number 300 418 226", "300418226"), ("715-302-648", "715302648"),
    ("my aurora miles number is 715302648", "715302648"), ("12345678", None), ("1234567890", None), ("abc", None),
])
def test_find_member_number(text, expected):
    assert p.find_member_number(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Smith", "Smith"), ("smith", "Smith"), ("SMITH", "Smith"), ("it's O'Neill", "O'Neill"),
    ("o\u2019neill", "O'Neill"), ("surname patel", "Patel"), ("last name is Jones", "Jones"),
    ("my surname is García", "García"), ("name: nowak", "Nowak"), ("its murphy", "Murphy"),
    ("surname o'brien", "O'Brien"), ("last name van der berg", "Van Der Berg"), ("family name is Evans", "Evans"),
    ("sure, Brown", "Brown"), ("Smith please", "Smith"), ("smith-jones", "Smith-Jones"), ("Lefèvre", "Lefèvre"),
    ("MacDonald", "MacDonald"), ("Zoë", "Zoë"), ("Nakamura.", "Nakamura"),
    ("yes", None), ("hello", None), ("I don't know", None), ("K7P2QX", None), ("", None), ("x" * 41, None),
    ("Smith 123", None), ("what do you need that for", None),
])
def test_parse_last_name(text, expected):
    assert p.parse_last_name(text) == expected


@pytest.mark.parametrize("text, exclude, expected", [
    ("K7P2QX smith", ["K7P2QX"], "Smith"), ("TW9K2L jones 14C", ["TW9K2L", "14C"], "Jones"),
    ("K9TD3R / walsh", ["K9TD3R"], "Walsh"), ("JD4N7P o'neill please", ["JD4N7P"], "O'Neill"),
    ("8HZ4MD, surname lee", ["8HZ4MD"], "Lee"), ("ref Q3XR7T name patel", [], "Patel"),
    ("member 661029384 name ali", ["661029384"], "Ali"), ("k7p 2qx smith", ["K7P2QX"], "Smith"),
    ("look up booking K7P2QX", ["K7P2QX"], None), ("what's the name on my booking", [], None),
    ("K7P2QX", ["K7P2QX"], None), ("check my booking for me", [], None),
])
def test_find_last_name(text, exclude, expected):
    assert p.find_last_name(text, exclude) == expected


@pytest.mark.parametrize("text, expected", [
    ("yes", True), ("Yes please", True), ("yep", True), ("go ahead", True), ("ok", True), ("sure thing", True),
    ("yes cancel it", True), ("no", False), ("nope", False), ("don't", False), ("no thanks", False),
    ("not sure", None), ("maybe", None), ("what?", None), ("", None),
])
def test_parse_yes_no(text, expected):
    assert p.parse_yes_no(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("today", TODAY), ("tonight", TODAY), ("tomorrow", dt.date(2026, 11, 23)), ("tmrw", dt.date(2026, 11, 23)),
    ("status of AU 451 tmrw pls", dt.date(2026, 11, 23)), ("yesterday", dt.date(2026, 11, 21)),
    ("day after tomorrow", dt.date(2026, 11, 24)), ("friday", dt.date(2026, 11, 27)),
    ("fri", dt.date(2026, 11, 27)), ("next friday", dt.date(2026, 11, 27)), ("this sat", dt.date(2026, 11, 28)),
    ("sunday", TODAY), ("next sunday", dt.date(2026, 11, 29)), ("next week tuesday", dt.date(2026, 11, 24)),
    ("12 march", dt.date(2027, 3, 12)), ("march 12th", dt.date(2027, 3, 12)), ("dec 3rd", dt.date(2026, 12, 3)),
    ("1st of april 2026", dt.date(2026, 4, 1)), ("20 nov", dt.date(2026, 11, 20)),
    ("2026-12-03", dt.date(2026, 12, 3)), ("3/12", dt.date(2026, 12, 3)), ("14.08.2026", dt.date(2026, 8, 14)),
    ("21/07", dt.date(2027, 7, 21)), ("on the 5th", dt.date(2026, 12, 5)), ("the 23rd", dt.date(2026, 11, 23)),
    ("AU38 friday morning", dt.date(2026, 11, 27)), ("9.35 on friday", dt.date(2026, 11, 27)),
    ("31/02", None), ("AU451", None), ("K7P2QX smith", None), ("", None),
])
def test_find_date(text, expected):
    assert p.find_date(text, TODAY) == expected


def test_parse_date_accepts_a_bare_day_number():
    assert p.parse_date("5", TODAY) == dt.date(2026, 12, 5)
    assert p.parse_date("23rd", TODAY) == dt.date(2026, 11, 23)
    assert p.parse_date("whenever", TODAY) is None


def test_dates_are_relative_to_the_injected_day():
    assert p.find_date("tomorrow", dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)
    assert p.find_date("friday", dt.date(2026, 11, 27)) == dt.date(2026, 11, 27)
    assert p.find_date("next friday", dt.date(2026, 11, 27)) == dt.date(2026, 12, 4)
    assert p.find_date("on the 5th", dt.date(2026, 12, 20)) == dt.date(2027, 1, 5)


def test_parsers_never_raise_on_odd_input():
    odd = ["\x00", "🙂🙂", "a" * 5000, "%%%", "\n\n", "０１２３"]
    for text in odd:
        for func in (p.parse_booking_reference, p.find_booking_reference, p.parse_flight_number,
                     p.find_other_airline_flight, p.parse_seat, p.find_email, p.find_bag_file_reference,
                     p.find_member_number, p.parse_last_name, p.parse_yes_no):
            func(text)
        p.find_date(text, TODAY)


def test_find_last_name_tail_only_takes_words_after_the_values():
    assert p.find_last_name("cancel K7P2QX smith", ["K7P2QX"], tail_only=True) == "Smith"
    assert p.find_last_name("miles balance for 100200300", ["100200300"], tail_only=True) is None
    assert p.find_last_name("miles for 100200300 please", ["100200300"]) is None
