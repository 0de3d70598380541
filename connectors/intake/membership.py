"""Consumer-group housekeeping of the stream consumer: create the group, forget long
idle members, and the heartbeat that keeps held entries from being reclaimed."""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Collection, Mapping, MutableMapping

from connectors.intake.entries import Entry, as_fields, as_text, stream_entries

__all__ = ["ensure_group", "forget_stale_consumers", "keep_alive", "STALE_CONSUMER_IDLE_MS",
           "read_own_pending", "autoclaim", "count_failure", "finish_tasks"]

logger = logging.getLogger(__name__)
STALE_CONSUMER_IDLE_MS = 24 * 3600 * 1000


async def ensure_group(redis: Any, stream: str, group: str) -> None:
    """``XGROUP CREATE stream group 0 MKSTREAM`` unless the group exists."""
    try:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
    except Exception as error:  # redis.ResponseError BUSYGROUP: already there
        if "BUSYGROUP" not in str(error):
            raise


async def forget_stale_consumers(redis: Any, stream: str, group: str, me: str) -> None:
    """Drop group members with nothing pending that have been idle for a day."""
    try:
        for info in await redis.xinfo_consumers(stream, group):
            name = as_text(info.get("name"))
            if name != me and int(info.get("pending", 1)) == 0 and \
                    int(info.get("idle", 0)) > STALE_CONSUMER_IDLE_MS:
                await redis.xgroup_delconsumer(stream, group, name)
    except Exception as error:
        logger.debug("intake.stale_consumers_skipped error=%s", type(error).__name__)


async def keep_alive(redis: Any, keep: Any, stream: str, group: str, name: str,
                     held: MutableMapping[str, Any], interval: float, platform: str) -> None:
    """Forever: every ``interval`` s, ``keep`` (the KEEP script) each held entry so its
    idle time stays low; entries another consumer took are dropped from ``held``."""
    while True:
        await asyncio.sleep(interval)
        entries = list(held)
        if not entries:
            continue
        try:
            pipe = redis.pipeline(transaction=False)
            for entry_id in entries:
                await keep(keys=[stream], args=[group, name, entry_id], client=pipe)
            replies = await pipe.execute()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.warning("intake.heartbeat_error platform=%s consumer=%s error=%s", platform, name,
                           type(error).__name__)
            continue
        for entry_id, kept in zip(entries, replies):
            if not int(kept or 0):
                held.pop(entry_id, None)


async def read_own_pending(redis: Any, stream: str, group: str, name: str, batch: int,
                           running: Collection[str], held: Mapping[str, tuple[float, int]]) -> list[Entry]:
    """This consumer's pending entries that are due (all pages): not running now and
    past their hold time in ``held`` (monotonic)."""
    due: list[Entry] = []
    cursor, now = "0", time.monotonic()
    while True:
        page = stream_entries(await redis.xreadgroup(group, name, {stream: cursor}, count=batch))
        for entry in page:
            hold = held.get(entry[0])
            if entry[0] not in running and (hold is None or hold[0] <= now):
                due.append(entry)
        if len(page) < batch:
            return due
        cursor = page[-1][0]


async def autoclaim(redis: Any, stream: str, group: str, name: str, idle_ms: int, cursor: str,
                    batch: int) -> tuple[str, list[Entry]]:
    """``XAUTOCLAIM`` one page of entries idle longer than ``idle_ms``: (next cursor, entries)."""
    reply = await redis.xautoclaim(stream, group, name, idle_ms, start_id=cursor, count=batch)
    following = as_text(reply[0])
    return (following or "0-0"), [(as_text(i), as_fields(f)) for i, f in reply[1] if i is not None]


async def count_failure(redis: Any, counter: str, ttl_s: int) -> int:
    """Add one failure to ``counter`` (kept ``ttl_s``); returns the new count."""
    pipe = redis.pipeline(transaction=True)
    pipe.incr(counter)
    pipe.expire(counter, ttl_s)
    return int((await pipe.execute())[0])


async def finish_tasks(tasks: set[asyncio.Task], timeout: float) -> int:
    """Let ``tasks`` finish within ``timeout`` seconds, cancel the rest (awaited); returns
    how many had to be cancelled. Their own failures were logged where they happened."""
    if not tasks:
        return 0
    _, unfinished = await asyncio.wait(tasks, timeout=max(0.0, timeout))
    for task in unfinished:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return len(unfinished)
