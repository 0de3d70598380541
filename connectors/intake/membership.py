"""Consumer-group housekeeping of the stream consumer: create the group, forget long
idle members, and the heartbeat that keeps held entries from being reclaimed."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, MutableMapping

from connectors.intake.entries import as_text

__all__ = ["ensure_group", "forget_stale_consumers", "keep_alive", "STALE_CONSUMER_IDLE_MS"]

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
