"""`socialcare forget`: erase one customer's data from Redis, or carry out the recorded
erasure requests (Meta's data-deletion callback, X's revoke event).

    socialcare forget --platform facebook --user 6543210987654321
    socialcare forget --requests

Prints what was removed as counts (no personal data). With the embedded Redis and
nothing answering on its port, the embedded server is started for the command.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any, Optional, TextIO

from core.embedded_redis import redis_for_command
from handoff.erasure import PLATFORMS, ErasureTarget
from handoff.erasure_run import erase_customer, process_requests, summary_lines
from socialcare.settings import Settings

__all__ = ["add_parser", "run_forget"]


def add_parser(sub: "argparse._SubParsersAction") -> None:
    """The ``forget`` sub-command."""
    forget = sub.add_parser("forget", help="erase a customer's data (trackers, tickets, transcripts, intake)")
    forget.add_argument("--platform", choices=PLATFORMS)
    forget.add_argument("--user", help="the platform's user id (Messenger PSID, X user id)")
    forget.add_argument("--requests", action="store_true",
                        help="carry out the recorded erasure requests (Meta callback, X revoke)")


def open_redis(settings: Settings) -> Any:
    """`core.embedded_redis.redis_for_command` on the settings of `socialcare run`."""
    return redis_for_command(settings.redis, settings.data_dir, binary=settings.redis_server_bin)


async def run_forget(args: argparse.Namespace, settings: Settings, out: Optional[TextIO] = None) -> int:
    """Carry out ``socialcare forget`` (output to ``out``, default stdout); returns the exit code."""
    out = out or sys.stdout
    if args.requests:
        async with open_redis(settings) as redis:
            done = await process_requests(redis, settings.redis_key_prefix, limit=10_000)
        print(f"erasure requests carried out: {done}", file=out)
        return 0
    if not args.platform or not args.user:
        print("forget: give --platform and --user, or --requests", file=sys.stderr)
        return 2
    try:
        target = ErasureTarget(args.platform, args.user)
    except ValueError as error:
        print(f"forget: {error}", file=sys.stderr)
        return 2
    async with open_redis(settings) as redis:
        counts = await erase_customer(redis, settings.redis_key_prefix, target)
    print("\n".join(summary_lines(counts, target.platform)), file=out)
    return 0
