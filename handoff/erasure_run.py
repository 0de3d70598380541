"""Erasure I/O: read the candidates from Redis, apply `handoff.erasure.plan_erasure`, and
carry out the recorded requests (`connectors.intake.erasures`).

``erase_customer(redis, prefix, target)`` is what `socialcare forget` runs;
``process_requests`` carries out the requests of Meta's data-deletion callback and of
X's revoke event; ``serve_requests`` does that every few seconds until stopped (the
supervisor runs it). Logs carry counts and codes, never a user id.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional, Tuple

from redis.exceptions import ResponseError

from connectors.intake.entries import Entry, as_fields, as_text
from connectors.intake.erasures import ErasureRequests
from connectors.intake.keys import IntakeKeys
from handoff.erasure import ErasurePlan, ErasureTarget, Inventory, plan_erasure
from handoff.keys import HandoffKeys

__all__ = ["erase_customer", "take_inventory", "apply_plan", "process_requests", "serve_requests"]

logger = logging.getLogger(__name__)

BATCH = 500


async def _scan(redis: Any, pattern: str) -> List[str]:
    return [as_text(key) async for key in redis.scan_iter(match=pattern, count=BATCH)]


# KEYS: candidate string keys ; ARGV: needle, a key kept whatever its value
# -> the keys whose value contains the needle (plain find, server side: no values move)
_FIND = """
local found = {}
for _, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if value and (key == ARGV[2] or string.find(value, ARGV[1], 1, true)) then found[#found + 1] = key end
end
return found
"""


async def _values(redis: Any, keys: List[str], needle: str, always: str = "") -> List[Tuple[str, str]]:
    """``(key, raw)`` of the keys whose value mentions ``needle`` (or is ``always``),
    filtered in Redis (`_FIND`, batches of BATCH keys) so only matches are read."""
    find = redis.register_script(_FIND)
    found: List[Tuple[str, str]] = []
    for start in range(0, len(keys), BATCH):
        matches = [as_text(k) for k in await find(keys=keys[start:start + BATCH], args=[needle, always])]
        if matches:
            found.extend((key, as_text(raw)) for key, raw in zip(matches, await redis.mget(matches))
                         if raw is not None)
    return found


async def _entries(redis: Any, stream: str, needle: str) -> List[Entry]:
    """Every entry of ``stream`` with ``needle`` in one of its fields, in batches."""
    found: List[Entry] = []
    start = "-"
    while True:
        batch = await redis.xrange(stream, start, "+", count=BATCH)
        for entry_id, raw in batch or []:
            fields = as_fields(raw)
            if any(needle in value for value in fields.values()):
                found.append((as_text(entry_id), fields))
        if not batch or len(batch) < BATCH:
            return found
        start = "(" + as_text(batch[-1][0])


async def take_inventory(redis: Any, target: ErasureTarget, ikeys: IntakeKeys, hkeys: HandoffKeys) -> Inventory:
    """Read every candidate of ``target``'s data (SCAN and XRANGE in batches)."""
    user = target.user_id
    trackers = await _values(redis, await _scan(redis, ikeys.tracker_pattern()), user, ikeys.tracker(user))
    ticket_prefix = hkeys.ticket_pattern()[:-1]
    tickets = [(key[len(ticket_prefix):], raw)
               for key, raw in await _values(redis, await _scan(redis, hkeys.ticket_pattern()), user)]
    inventory = Inventory(
        stream_entries=await _entries(redis, ikeys.stream(target.platform), user),
        dead_letters=await _entries(redis, ikeys.dead_letter(), user),
        trackers=trackers,
        tickets=tickets,
        conversation_keys=await _scan(redis, ikeys.conversation_pattern(target.platform, user)),
    )
    if tickets:
        inventory.feed_entries = await _entries(redis, hkeys.feed, "t-")
    return inventory


async def apply_plan(redis: Any, plan: ErasurePlan, group: str) -> None:
    """Carry out ``plan`` (pipelines of at most BATCH commands)."""
    async with redis.pipeline(transaction=False) as pipe:
        for start in range(0, len(plan.delete_keys), BATCH):
            pipe.delete(*plan.delete_keys[start:start + BATCH])
        for table, command in ((plan.xdel, pipe.xdel), (plan.zrem, pipe.zrem)):
            for key, values in table.items():
                for start in range(0, len(values), BATCH):
                    command(key, *values[start:start + BATCH])
        for key, values in plan.lrem.items():
            for value in values:
                pipe.lrem(key, 0, value)
        await pipe.execute()
    for stream, ids in plan.xack.items():
        try:
            await redis.xack(stream, group, *ids)
        except ResponseError:  # no consumer group on that stream yet: nothing to ack
            pass


async def erase_customer(redis: Any, prefix: str, target: ErasureTarget) -> Dict[str, int]:
    """Remove everything of ``target`` from Redis; returns the counts of what was removed."""
    ikeys, hkeys = IntakeKeys(prefix), HandoffKeys(prefix)
    plan = plan_erasure(target, await take_inventory(redis, target, ikeys, hkeys), ikeys, hkeys)
    await apply_plan(redis, plan, ikeys.group())
    logger.info("erasure.done platform=%s %s", target.platform,
                " ".join(f"{k}={v}" for k, v in sorted(plan.counts.items())))
    return plan.counts


async def process_requests(redis: Any, prefix: str, limit: int = 20) -> int:
    """Carry out up to ``limit`` recorded requests, oldest first; returns how many."""
    requests = ErasureRequests(redis, IntakeKeys(prefix))
    done = 0
    for request in await requests.pending(limit):
        try:
            target = ErasureTarget(request.platform, request.user_id)
        except ValueError:
            logger.warning("erasure.request_unusable code=%s", request.code)
            await requests.complete(request, {}, status="rejected")
            continue
        counts = await erase_customer(redis, prefix, target)
        await requests.complete(request, counts)
        logger.info("erasure.request_done code=%s source=%s", request.code, request.source)
        done += 1
    return done


async def serve_requests(redis: Any, prefix: str, stop: asyncio.Event, *, interval_s: float = 5.0,
                         timeout_s: float = 600.0) -> None:
    """`process_requests` every ``interval_s`` until ``stop`` is set (errors are logged and
    the requests stay recorded for the next round; one round at most ``timeout_s``)."""
    while not stop.is_set():
        try:
            await asyncio.wait_for(process_requests(redis, prefix), timeout_s)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # Redis away or too slow: the requests stay recorded
            logger.warning("erasure.round_failed error=%s", type(error).__name__)
        try:
            await asyncio.wait_for(stop.wait(), interval_s)
        except asyncio.TimeoutError:
            pass


def summary_lines(counts: Dict[str, int], platform: Optional[str] = None) -> List[str]:
    """Human-readable summary of an erasure (numbers only)."""
    head = f"erased on {platform}:" if platform else "erased:"
    return [head, *(f"  {name:<18} {counts[name]}" for name in sorted(counts))]
