"""Why a conversation goes to a person: typed reasons with their scores (pure).

A `Reason` is built where the decision is made (the routing triggers in
`handoff.triggers`, the handoff actions in `bot/actions`), with its score, never parsed
back from text. `raw` is the label shown to agents and written to logs, exactly as the
service has always written it::

    route:diagnostic:report_lost_bag@0.97   scored:      score 0.97 (as shown)
    frustration:-0.62<=-0.50                at_or_below: score 0.62 (|value| as shown)
    reach:15000>=10000                      at_or_above: followers / threshold / 2, capped
                                                         at 1 (0.5 at the threshold)
    clarification_failed, not_allowed:seat_taken
                                            flag:        score 1.0

Conversations handed off before reasons were typed keep their labels as plain strings
in the `handoff_reasons` slot; `legacy_reason` reads those (see `reasons_from_slot`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, Mapping, Tuple


@dataclass(frozen=True)
class Reason:
    """Why the bot handed off: a code (`route`, `frustration`, `vip`, ...), a score, detail.

    `raw` is the label as shown and logged (e.g. ``route:diagnostic:report_lost_bag@0.97``).
    """

    code: str
    score: float = 1.0
    detail: str = ""
    raw: str = ""

    def as_json(self) -> Dict[str, Any]:
        """JSON-ready mapping (stored in tickets and in the `handoff_reasons` slot)."""
        return {"code": self.code, "score": round(float(self.score), 4), "detail": self.detail, "raw": self.raw}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Reason":
        """Inverse of `as_json`."""
        return cls(str(data.get("code", "")), float(data.get("score", 0.0) or 0.0),
                   str(data.get("detail", "")), str(data.get("raw", "")))


def _unit(score: float) -> float:
    return max(0.0, min(1.0, score))


def flag(code: str, detail: str = "") -> Reason:
    """A reason without a measure, score 1.0: ``code`` or ``code:detail``."""
    return Reason(code, 1.0, detail, f"{code}:{detail}" if detail else code)


def scored(code: str, detail: str, score: float) -> Reason:
    """``code:detail@0.97``: the score is the number shown (two decimals)."""
    shown = f"{score:.2f}"
    return Reason(code, _unit(float(shown)), detail, f"{code}:{detail}@{shown}")


def at_or_below(code: str, value: float, limit: float) -> Reason:
    """``code:-0.62<=-0.50``: a value at or below its limit; the score is |value| as shown."""
    shown = f"{value:.2f}"
    detail = f"{shown}<={limit:.2f}"
    return Reason(code, _unit(abs(float(shown))), detail, f"{code}:{detail}")


def at_or_above(code: str, count: int, limit: int) -> Reason:
    """``code:15000>=10000``: a count at or above its limit; the score is count / limit / 2,
    capped at 1 (0.5 at the limit, 1.0 at twice it)."""
    detail = f"{count}>={limit}"
    return Reason(code, _unit(min(1.0, count / max(float(limit), 1e-9) / 2)), detail, f"{code}:{detail}")


def legacy_reason(raw: str) -> Reason:
    """Read a label stored as a plain string before reasons were typed (old trackers).

    The score comes from the label the way the builders above put it there: after ``@``,
    the value before ``<=``, or count / limit / 2 for ``>=``; 1.0 without a number.
    """
    text = str(raw or "unspecified")
    code, _, rest = text.partition(":")
    score = 1.0
    detail = rest
    if "@" in rest:
        detail, _, value = rest.rpartition("@")
        score = _float(value, 1.0)
    elif "<=" in rest:
        value, _, _limit = rest.partition("<=")
        score = abs(_float(value, 1.0))
    elif ">=" in rest:
        value, _, limit = rest.partition(">=")
        score = min(1.0, _float(value, 1.0) / max(_float(limit, 1.0), 1e-9) / 2) if limit else 1.0
    return Reason(code=code, score=_unit(score), detail=detail, raw=text)


def _float(value: str, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def unique_reasons(reasons: Iterable[Reason]) -> Tuple[Reason, ...]:
    """`reasons` without repeats (the same label), first ones first."""
    unique: Dict[str, Reason] = {}
    for reason in reasons:
        unique.setdefault(reason.raw, reason)
    return tuple(unique.values())


def reason_from_slot(value: Any) -> Reason:
    """One stored reason: a Reason JSON mapping, or a legacy label string."""
    if isinstance(value, Mapping):
        return Reason.from_json(value)
    return legacy_reason(str(value))


def reasons_from_slot(values: Iterable[Any]) -> Tuple[Reason, ...]:
    """The `handoff_reasons` slot's values (Reason JSON, or legacy labels) as unique Reasons."""
    return unique_reasons(reason_from_slot(v) for v in values if v)
