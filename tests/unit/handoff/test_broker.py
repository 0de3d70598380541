"""Which Redis failures the event broker keeps and retries (pure)."""
from __future__ import annotations

import asyncio

from redis.exceptions import BusyLoadingError, ConnectionError, ResponseError, TimeoutError

from handoff.broker import is_transient
from handoff.errors import StoreBusy
from handoff.tickets import TicketFormatError


def test_redis_away_or_refusing_writes_is_retried():
    for exc in (ConnectionError("refused"), TimeoutError("slow"), BusyLoadingError("LOADING"), StoreBusy("csat"),
                ConnectionResetError(), asyncio.TimeoutError(),
                ResponseError("OOM command not allowed when used memory > 'maxmemory'."),
                ResponseError("MISCONF Redis is configured to save RDB snapshots")):
        assert is_transient(exc), exc


def test_an_event_that_can_never_be_written_is_not_retried():
    for exc in (ValueError("bad timestamp"), TicketFormatError("not a ticket"), ResponseError("WRONGTYPE"),
                KeyError("x")):
        assert not is_transient(exc), exc
