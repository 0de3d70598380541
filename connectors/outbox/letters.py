"""What a supervisor does with dead letters (the console's API and ``socialcare
dead-letters``): a view without message text unless asked, and replay.

Replay by source:

* ``consumer`` (an intake entry that failed, timed out or killed its process): the event
  goes back into the intake stream through ``IntakeQueue.replay`` (once per letter);
* ``outbox`` (a reply not delivered: refused, rate-limit retries exhausted, or its
  outcome unknown after a timeout): the reply goes back into its conversation's outbox
  under a new id, so it is sent once more (a person decided it was not delivered);
* ``webhook`` (an unusable item of a delivery): nothing to replay (``NotReplayable``).

A replayed letter is dropped.
"""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from connectors.intake.deadletters import DeadLetter, DeadLetters
from connectors.intake.keys import IntakeKeys
from connectors.intake.queue import IntakeQueue, PoisonEntry, decode_entry
from connectors.outbox.replies import decode, encode

__all__ = ["NotReplayable", "letter_view", "replay_letter", "SAFE_FIELDS"]

# Fields shown without the text: ids, reasons and counts, never the message.
SAFE_FIELDS = ("entry_id", "event_id", "thread", "failures", "consumer", "reply_id", "op", "recipient",
               "status", "code")

_REQUEUE = """
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[3])
return 1
"""


class NotReplayable(ValueError):
    """This dead letter cannot be replayed (an unusable webhook item, a broken entry)."""


def letter_view(letter: DeadLetter, *, with_text: bool = False) -> dict[str, Any]:
    """A dead letter as JSON: ids, reason, time and source; ``data`` (which holds the
    customer's text) only ``with_text``."""
    view: dict[str, Any] = {"id": letter.id, "platform": letter.platform, "reason": letter.reason,
                            "at_ms": letter.at_ms, "source": letter.source,
                            "replayable": letter.source in ("consumer", "outbox")}
    view.update({name: letter.fields[name] for name in SAFE_FIELDS if letter.fields.get(name)})
    if with_text:
        view["data"] = letter.data
    return view


async def replay_letter(redis: Any, keys: IntakeKeys, letters: DeadLetters, letter: DeadLetter) -> str:
    """Replay one dead letter (see the module docstring) and drop it; returns the new
    stream entry id or reply id. ``NotReplayable`` when it cannot be replayed."""
    if letter.source == "consumer":
        try:
            event = decode_entry({"data": letter.data})
        except PoisonEntry as error:
            raise NotReplayable(str(error)) from None
        new_id = await IntakeQueue(redis, keys).replay(event, letter.id)
        if new_id is None:
            raise NotReplayable("already replayed")
    elif letter.source == "outbox":
        try:
            reply = decode(letter.data)
        except (ValueError, KeyError, TypeError):
            raise NotReplayable("not an outbox reply") from None
        again = replace(reply, reply_id=f"{reply.reply_id}:replay:{letter.id}")
        script = redis.register_script(_REQUEUE)
        await script(keys=[keys.outbox(reply.platform, reply.thread), keys.outbox_due(reply.platform)],
                     args=[encode(again), int(time.time() * 1000), reply.thread])
        new_id = again.reply_id
    else:
        raise NotReplayable(f"a {letter.source or 'unknown'} dead letter cannot be replayed")
    await letters.drop(letter.id)
    return new_id
