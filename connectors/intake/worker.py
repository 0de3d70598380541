"""A thread with its own asyncio event loop for the stream consumer's turns.

Rasa runs the NLU pipeline and the policies synchronously inside its event loop, so a
turn blocks the loop it runs on for as long as the model works. The webhook handlers
live on Sanic's loop and must answer within milliseconds whatever the model is doing
(issue 3, section 4), so the consumer, its Redis client and the outbound platform
client run on this worker loop instead; Sanic's loop only verifies, enqueues and
answers. Rasa's agent is safe to call from here: its tracker and lock stores use
blocking Redis clients and its action endpoint opens a new HTTP session per call.

    worker = WorkerLoop("intake-facebook")
    worker.start()
    await worker.run(some_coroutine())   # awaited from Sanic's loop
    await worker.stop()
"""
from __future__ import annotations

import asyncio
import logging
import sys
import threading
from typing import Awaitable, Optional, TypeVar

__all__ = ["WorkerLoop"]

logger = logging.getLogger(__name__)
T = TypeVar("T")
# While a turn computes on the worker thread, Sanic's thread waits for the GIL at most
# this long before a webhook is served (CPython's default is 5 ms).
SWITCH_INTERVAL_S = 0.001


class WorkerLoop:
    """One daemon thread running one event loop until ``stop``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._ready = threading.Event()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 10.0) -> None:
        """Start the thread and wait (bounded) until its loop runs."""
        if self.running:
            return
        if sys.getswitchinterval() > SWITCH_INTERVAL_S:
            sys.setswitchinterval(SWITCH_INTERVAL_S)
        self._ready.clear()
        self._thread = threading.Thread(target=self._main, name=self.name, daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError(f"worker loop {self.name} did not start")

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self.loop = loop
        loop.call_soon(self._ready.set)
        try:
            loop.run_forever()
        finally:
            try:
                pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
                for task in pending:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()

    async def run(self, coroutine: Awaitable[T]) -> T:
        """Run ``coroutine`` on the worker loop and await its result from the caller's loop."""
        assert self.loop is not None and self.running, "worker loop not started"
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)  # type: ignore[arg-type]
        return await asyncio.wrap_future(future)

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop the loop (its leftover tasks are cancelled) and join the thread (bounded)."""
        thread, loop = self._thread, self.loop
        if thread is None or loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.get_running_loop().run_in_executor(None, thread.join, timeout)
        if thread.is_alive():
            logger.warning("intake.worker_stop_timeout worker=%s", self.name)
        self._thread = None
        self.loop = None
