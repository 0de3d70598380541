"""The worker loop runs coroutines on its own thread; stream reply helpers decode."""
from __future__ import annotations

import asyncio
import threading

import pytest

from connectors.intake.entries import as_fields, backoff, stream_entries
from connectors.intake.worker import WorkerLoop


@pytest.mark.asyncio
async def test_worker_runs_coroutines_on_its_own_thread_and_loop():
    worker = WorkerLoop("test-worker")
    worker.start()
    try:
        async def where():
            return threading.current_thread().name, asyncio.get_running_loop()

        name, loop = await worker.run(where())
        assert name == "test-worker" and loop is not asyncio.get_running_loop()

        async def boom():
            raise ValueError("from the worker")

        with pytest.raises(ValueError, match="from the worker"):
            await worker.run(boom())
    finally:
        await worker.stop()
    assert not worker.running


def test_stream_replies_are_decoded():
    reply = [(b"s", [(b"1-0", {b"data": b"x"}), (None, None), ("2-0", {"v": "1"})])]
    assert stream_entries(reply) == [("1-0", {"data": "x"}), ("2-0", {"v": "1"})]
    assert as_fields(None) == {}


def test_backoff_doubles_and_is_capped():
    assert [backoff(0.5, 3.0, n) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert backoff(0.5, 3.0, -1) == 0.5
