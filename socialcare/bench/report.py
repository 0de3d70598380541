"""Figures of a benchmark run from the sandbox's delivery records (pure, no I/O).

Each record is the sandbox's ``/sandbox/api/inbound`` item: ``posted_at`` (ms), the
webhook ``attempts`` (status, ms), ``replies`` (ms of each message the bot sent that
customer afterwards). Webhook ack = the first attempt's latency; end-to-end = first
reply minus ``posted_at`` (both on the sandbox's clock); lost = no reply; duplicated =
more replies than the usual number for that text.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Iterable, Mapping, Sequence

__all__ = ["percentile", "PhaseFigures", "phase_figures", "ratio", "markdown_table"]


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (``None`` for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class PhaseFigures:
    """What one phase of one system measured."""

    messages: int
    answered: int
    lost: int
    duplicated: int
    retried_deliveries: int
    ack_p50: float | None
    ack_p99: float | None
    e2e_p50: float | None
    e2e_p95: float | None
    e2e_p99: float | None
    throughput: float | None
    offered_rate: float | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def phase_figures(records: Iterable[Mapping[str, Any]]) -> PhaseFigures:
    """Figures of one phase from its sandbox records."""
    items = list(records)
    acks = [float(i["attempts"][0]["ms"]) for i in items if i.get("attempts")]
    answered = [i for i in items if i.get("replies")]
    e2e = [float(i["replies"][0]) - float(i["posted_at"]) for i in answered]
    usual: dict[str, int] = {}
    for text, counts in _counts_by_text(answered).items():
        usual[text] = counts.most_common(1)[0][0]
    duplicated = sum(1 for i in answered if len(i["replies"]) > usual.get(i["text"], 1))
    posted = [float(i["posted_at"]) for i in items]
    first_replies = [float(i["replies"][0]) for i in answered]
    span = (max(first_replies) - min(posted)) / 1000 if answered else 0.0
    offered_span = (max(posted) - min(posted)) / 1000 if len(posted) > 1 else 0.0
    return PhaseFigures(
        messages=len(items), answered=len(answered), lost=len(items) - len(answered), duplicated=duplicated,
        retried_deliveries=sum(1 for i in items if len(i.get("attempts") or []) > 1),
        ack_p50=percentile(acks, 50), ack_p99=percentile(acks, 99),
        e2e_p50=percentile(e2e, 50), e2e_p95=percentile(e2e, 95), e2e_p99=percentile(e2e, 99),
        throughput=round(len(answered) / span, 2) if span > 0 else None,
        offered_rate=round((len(items) - 1) / offered_span, 1) if offered_span > 0 else None,
    )


def _counts_by_text(items: Iterable[Mapping[str, Any]]) -> dict[str, Counter]:
    counts: dict[str, Counter] = {}
    for item in items:
        counts.setdefault(item["text"], Counter())[len(item["replies"])] += 1
    return counts


def ratio(ours: float | None, stock: float | None) -> str:
    """``ours / stock`` as ``0.12x`` ("n/a" when either is missing or zero)."""
    if ours is None or stock is None or stock == 0:
        return "n/a"
    value = ours / stock
    return f"{value:.2f}x" if value >= 0.1 else f"{value:.4f}x"


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.1f}{unit}"
    return f"{value}{unit}"


ROWS = (
    ("load", "webhook ack p50", "ack_p50", " ms"),
    ("load", "webhook ack p99", "ack_p99", " ms"),
    ("load", "end-to-end p50", "e2e_p50", " ms"),
    ("load", "end-to-end p95", "e2e_p95", " ms"),
    ("load", "end-to-end p99", "e2e_p99", " ms"),
    ("load", "throughput (answered/s)", "throughput", ""),
    ("load", "lost / duplicated replies", None, ""),
    ("customers", "webhook ack p50", "ack_p50", " ms"),
    ("customers", "webhook ack p99", "ack_p99", " ms"),
    ("customers", "end-to-end p50", "e2e_p50", " ms"),
    ("customers", "end-to-end p95", "e2e_p95", " ms"),
    ("customers", "end-to-end p99", "e2e_p99", " ms"),
    ("customers", "lost / duplicated replies", None, ""),
    ("ack", "webhook ack p50", "ack_p50", " ms"),
    ("ack", "webhook ack p99", "ack_p99", " ms"),
    ("ack", "lost / duplicated replies", None, ""),
)


def markdown_table(ours: Mapping[str, PhaseFigures], stock: Mapping[str, PhaseFigures] | None,
                   memory: Mapping[str, Mapping[str, float | None]], labels: Mapping[str, str]) -> str:
    """The README table: one row per figure, socialcare vs stock and the ratio."""
    lines = ["| phase | figure | socialcare | stock rasa + facebook | ratio |", "| --- | --- | --- | --- | --- |"]
    for phase, title, key, unit in ROWS:
        mine, theirs = ours.get(phase), (stock or {}).get(phase)
        if mine is None:
            continue
        if key is None:
            cell = lambda f: "n/a" if f is None else f"{f.lost} / {f.duplicated} of {f.messages}"  # noqa: E731
            lines.append(f"| {labels[phase]} | {title} | {cell(mine)} | {cell(theirs)} | |")
            continue
        a, b = getattr(mine, key), getattr(theirs, key) if theirs else None
        lines.append(f"| {labels[phase]} | {title} | {_fmt(a, unit)} | {_fmt(b, unit)} | {ratio(a, b)} |")
    for process in sorted(set(memory.get("socialcare", {})) | set(memory.get("stock", {}))):
        a, b = memory.get("socialcare", {}).get(process), memory.get("stock", {}).get(process)
        lines.append(f"| memory | peak RSS {process} | {_fmt(a, ' MiB')} | {_fmt(b, ' MiB')} | {ratio(a, b)} |")
    return "\n".join(lines)
