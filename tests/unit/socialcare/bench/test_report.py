"""Benchmark figures from sandbox delivery records (pure)."""
from __future__ import annotations

from socialcare.bench.report import markdown_table, percentile, phase_figures, ratio


def record(posted, ack, replies, text="q", attempts=1):
    return {"posted_at": posted, "attempts": [{"status": 200, "ms": ack}] * attempts,
            "replies": replies, "text": text, "status": "delivered"}


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 50) == 50 and percentile(values, 99) == 99 and percentile(values, 100) == 100
    assert percentile([], 50) is None


def test_phase_figures_count_lost_duplicates_and_latencies():
    records = [record(0, 2, [100]), record(10, 4, [310]), record(20, 6, []), record(30, 8, [130, 131]),
               record(40, 3, [240], attempts=2)]
    figures = phase_figures(records)
    assert (figures.messages, figures.answered, figures.lost, figures.duplicated) == (5, 4, 1, 1)
    assert figures.retried_deliveries == 1
    assert figures.ack_p50 == 4 and figures.ack_p99 == 8
    assert figures.e2e_p50 == 100 and figures.e2e_p99 == 300
    assert figures.throughput == round(4 / 0.31, 2)


def test_table_has_ratios_and_memory():
    ours = {"load": phase_figures([record(0, 2, [50]), record(10, 2, [70])])}
    stock = {"load": phase_figures([record(0, 200, [500]), record(10, 400, [700])])}
    table = markdown_table(ours, stock, {"socialcare": {"rasa server": 500.0}, "stock": {"rasa server": 400.0}},
                           {"load": "open loop"})
    assert "| open loop | webhook ack p50 | 2.0 ms | 200.0 ms | 0.0100x |" in table
    assert "| memory | peak RSS rasa server | 500.0 MiB | 400.0 MiB | 1.25x |" in table
    assert ratio(None, 1) == "n/a"
