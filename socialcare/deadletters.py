"""`socialcare dead-letters`: inspect, replay or drop the dead letters.

    socialcare dead-letters list [--platform P] [--limit N]   # ids, reasons; no text
    socialcare dead-letters show ID                           # one letter, with its text
    socialcare dead-letters replay ID                         # back into the intake / outbox
    socialcare dead-letters drop ID

Dead letters expire after ``DEAD_LETTER_TTL_S``. With the embedded Redis and nothing
answering on its port, the embedded server is started for the command.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Optional, TextIO

from connectors.events import FACEBOOK, TWITTER
from connectors.intake.deadletters import DeadLetters, DeadLetterSettings
from connectors.intake.keys import IntakeKeys
from connectors.outbox.letters import NotReplayable, letter_view, replay_letter
from socialcare.forget import open_redis
from socialcare.settings import Settings

__all__ = ["add_parser", "run_dead_letters"]


def add_parser(sub: "argparse._SubParsersAction") -> None:
    """The ``dead-letters`` sub-command."""
    parser = sub.add_parser("dead-letters", help="inspect, replay or drop dead letters")
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="newest dead letters (ids and reasons, no text)")
    listing.add_argument("--platform", choices=(FACEBOOK, TWITTER))
    listing.add_argument("--limit", type=int, default=50)
    for name, text in (("show", "one dead letter with its text"), ("replay", "replay one dead letter"),
                       ("drop", "delete one dead letter")):
        action = actions.add_parser(name, help=text)
        action.add_argument("letter_id")


async def run_dead_letters(args: argparse.Namespace, settings: Settings, dead: DeadLetterSettings,
                           out: Optional[TextIO] = None) -> int:
    """Carry out ``socialcare dead-letters`` (JSON lines to ``out``); returns the exit code."""
    out = out or sys.stdout
    keys = IntakeKeys(settings.redis.key_prefix)
    async with open_redis(settings) as redis:
        letters = DeadLetters(redis, keys, dead)
        if args.action == "list":
            rows = await letters.list(max(1, args.limit), platform=args.platform)
            print(json.dumps({"count": await letters.count()}), file=out)
            for row in rows:
                print(json.dumps(letter_view(row)), file=out)
            return 0
        letter = await letters.get(args.letter_id)
        if letter is None:
            print(f"no dead letter {args.letter_id}", file=sys.stderr)
            return 1
        if args.action == "show":
            print(json.dumps(letter_view(letter, with_text=True), ensure_ascii=False), file=out)
            return 0
        if args.action == "drop":
            await letters.drop(letter.id)
            print(json.dumps({"dropped": letter.id}), file=out)
            return 0
        try:
            new_id = await replay_letter(redis, keys, letters, letter)
        except NotReplayable as error:
            print(f"cannot replay {letter.id}: {error}", file=sys.stderr)
            return 1
        print(json.dumps({"replayed": letter.id, "new_id": new_id}), file=out)
        return 0
