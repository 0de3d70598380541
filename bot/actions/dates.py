"""Pure date parsing for customer messages ("tmrw", "next friday", "12 march", "3/12").

Every function takes the reference day `today` as an argument (no clock inside), returns a
`datetime.date` or None, and never raises on odd input. Numeric dates are day first
("3/12" is 3 December), as customers in the UK and Europe write them.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Optional

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}
WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2,
    "wednesday": 2, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}
# A date without a year more than this many days in the past means next year's.
PAST_GRACE_DAYS = 7

_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s*(\d{4}))?"
_WEEKDAY = r"(mon(?:day)?|tue(?:s|sday)?|wed(?:s|nesday)?|thu(?:r|rs|rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)"

_RELATIVE = (
    (re.compile(r"\b(?:day after tomorrow|day after tmrw|overmorrow)\b"), 2),
    (re.compile(r"\b(?:today|tonight|this (?:morning|afternoon|evening))\b"), 0),
    (re.compile(r"\b(?:tomorrow|tmrw|tmr|tmw|2moro|2morrow|tomoz|tommorow|tommorrow|tomorow)\b"), 1),
    (re.compile(r"\b(?:yesterday|last night)\b"), -1),
)
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC = re.compile(r"(?<![\d/.\-])(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?(?![\d/.\-])")
_DAY_MONTH = re.compile(r"\b" + _DAY + r"(?:\s+of)?\s+" + _MONTH + _YEAR + r"\b")
_MONTH_DAY = re.compile(r"\b" + _MONTH + r"\s+" + _DAY + _YEAR + r"\b")
_NEXT_WEEK_DAY = re.compile(r"\bnext week(?:'s)?\s+(?:on\s+)?" + _WEEKDAY + r"\b")
_WEEKDAY_NEXT_WEEK = re.compile(r"\b" + _WEEKDAY + r"\s+(?:of\s+)?next week\b")
_QUALIFIED_WEEKDAY = re.compile(r"\b(this|next|coming|on)?\s*" + _WEEKDAY + r"\b")
_ORDINAL_DAY = re.compile(
    r"\b(?:on\s+the|the|on)\s+(\d{1,2})(?:st|nd|rd|th)\b|\bon\s+the\s+(\d{1,2})\b")


def _safe_date(year: int, month: int, day: int) -> Optional[dt.date]:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _without_year(month: int, day: int, today: dt.date) -> Optional[dt.date]:
    """This year's date, or next year's when this year's is well in the past."""
    candidate = _safe_date(today.year, month, day)
    if candidate is None:
        return _safe_date(today.year + 1, month, day)
    if candidate < today - dt.timedelta(days=PAST_GRACE_DAYS):
        return _safe_date(today.year + 1, month, day) or candidate
    return candidate


def _full_year(value: Optional[str]) -> Optional[int]:
    if not value:
        return None
    year = int(value)
    return year + 2000 if year < 100 else year


def _day_of_month(day: int, today: dt.date) -> Optional[dt.date]:
    """"on the 5th": this month's day, or next month's when it is well in the past."""
    candidate = _safe_date(today.year, today.month, day)
    if candidate is not None and candidate >= today - dt.timedelta(days=PAST_GRACE_DAYS):
        return candidate
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return _safe_date(year, month, day)


def _weekday(name: str, qualifier: str, today: dt.date) -> dt.date:
    """"friday"/"this fri": the coming one, today included; "next friday": strictly after today."""
    target = WEEKDAYS[name]
    ahead = (target - today.weekday()) % 7
    if qualifier == "next" and ahead == 0:
        ahead = 7
    return today + dt.timedelta(days=ahead)


def _next_week(name: str, today: dt.date) -> dt.date:
    """"next week tuesday": that weekday in the week (Monday-Sunday) after this one."""
    monday_next_week = today + dt.timedelta(days=7 - today.weekday())
    return monday_next_week + dt.timedelta(days=WEEKDAYS[name])


def _from_iso(low: str, today: dt.date) -> Optional[dt.date]:
    match = _ISO.search(low)
    return _safe_date(*(int(g) for g in match.groups())) if match else None


def _from_relative(low: str, today: dt.date) -> Optional[dt.date]:
    for pattern, offset in _RELATIVE:
        if pattern.search(low):
            return today + dt.timedelta(days=offset)
    return None


def _from_month_name(low: str, today: dt.date) -> Optional[dt.date]:
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        for match in pattern.finditer(low):
            month = MONTHS[match.group(month_group).rstrip(".")]
            day = int(match.group(day_group))
            year = _full_year(match.group(3))
            found = _safe_date(year, month, day) if year else _without_year(month, day, today)
            if found:
                return found
    return None


def _from_numeric(low: str, today: dt.date) -> Optional[dt.date]:
    for match in _NUMERIC.finditer(low):
        day, month = int(match.group(1)), int(match.group(2))
        year = _full_year(match.group(3))
        found = _safe_date(year, month, day) if year else _without_year(month, day, today)
        if found:
            return found
    return None


def _from_weekday(low: str, today: dt.date) -> Optional[dt.date]:
    match = _NEXT_WEEK_DAY.search(low) or _WEEKDAY_NEXT_WEEK.search(low)
    if match:
        return _next_week(match.group(1), today)
    match = _QUALIFIED_WEEKDAY.search(low)
    if match:
        return _weekday(match.group(2), match.group(1) or "", today)
    return None


def _from_ordinal(low: str, today: dt.date) -> Optional[dt.date]:
    match = _ORDINAL_DAY.search(low)
    return _day_of_month(int(match.group(1) or match.group(2)), today) if match else None


_FINDERS = (_from_iso, _from_relative, _from_month_name, _from_numeric, _from_weekday,
            _from_ordinal)


def find_date(text: str, today: dt.date) -> Optional[dt.date]:
    """The first date mentioned in `text`, relative to `today`, or None.

    Understands today/tonight/tomorrow/tmrw/yesterday/day after tomorrow, weekday names
    ("fri", "this sat", "next friday", "next week tuesday"), "12 march", "march 12th",
    "1st of april 2026", ISO "2026-12-03", day-first "3/12" or "14.08.2026", and "on the 5th".
    """
    if not text:
        return None
    low = text.lower()
    for finder in _FINDERS:
        found = finder(low, today)
        if found is not None:
            return found
    return None


def parse_date(text: str, today: dt.date) -> Optional[dt.date]:
    """A date typed as an answer ("tomorrow", "12/3", "the 5th", "5"), or None.

    Like `find_date`, and also accepts a bare day number ("5", "23rd") as a day of this month.
    """
    found = find_date(text, today)
    if found is not None:
        return found
    bare = re.fullmatch(r"\s*(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s*[.!]?\s*", (text or "").lower())
    if bare:
        return _day_of_month(int(bare.group(1)), today)
    return None
