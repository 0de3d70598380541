"""The supervisor's view of the dead letters (JSON API, supervisor role only).

* ``GET  /api/dead-letters?platform=P&limit=N``: the current count and the newest
  letters: ids, reason, source, time; the text (``data``) only with ``text=1``;
* ``GET  /api/dead-letters/{platform}/{id}``: one letter with its text;
* ``POST /api/dead-letters/{platform}/{id}/replay``: back into the intake stream (or the
  outbox, for an undelivered reply), then dropped (``connectors.outbox.letters``);
* ``POST /api/dead-letters/{platform}/{id}/drop``: deleted.

Logs name letter ids and the supervisor, never the text.
"""
from __future__ import annotations

import logging

from aiohttp import web

from connectors.intake.deadletters import DeadLetter, DeadLetters
from connectors.intake.keys import IntakeKeys
from connectors.outbox.letters import NotReplayable, letter_view, replay_letter
from console import appkeys
from console.auth import current_user, json_error, requires

__all__ = ["add_routes"]

logger = logging.getLogger(__name__)
MAX_LIMIT = 200


def _keys(request: web.Request) -> IntakeKeys:
    return IntakeKeys(request.app[appkeys.SETTINGS].redis.key_prefix)


def _letters(request: web.Request) -> DeadLetters:
    return DeadLetters(request.app[appkeys.REDIS], _keys(request))


async def _letter(request: web.Request) -> DeadLetter | None:
    letter = await _letters(request).get(request.match_info["letter_id"])
    if letter is None or letter.platform != request.match_info["platform"]:
        return None
    return letter


@requires("supervisor")
async def list_letters(request: web.Request) -> web.Response:
    """GET /api/dead-letters: count and newest letters (text only with ``text=1``)."""
    platform = request.query.get("platform") or None
    try:
        limit = max(1, min(MAX_LIMIT, int(request.query.get("limit", "50"))))
    except ValueError:
        return json_error(400, "limit must be a number")
    letters = _letters(request)
    with_text = request.query.get("text") == "1"
    rows = await letters.list(limit, platform=platform)
    return web.json_response({"count": await letters.count(),
                              "letters": [letter_view(row, with_text=with_text) for row in rows]})


@requires("supervisor")
async def get_letter(request: web.Request) -> web.Response:
    """GET /api/dead-letters/{platform}/{id}: one letter with its text."""
    letter = await _letter(request)
    if letter is None:
        return json_error(404, "no such dead letter")
    logger.info("console.dead_letter_read user=%s letter=%s", current_user(request).name, letter.id)
    return web.json_response(letter_view(letter, with_text=True))


@requires("supervisor")
async def replay(request: web.Request) -> web.Response:
    """POST /api/dead-letters/{platform}/{id}/replay."""
    letter = await _letter(request)
    if letter is None:
        return json_error(404, "no such dead letter")
    try:
        new_id = await replay_letter(request.app[appkeys.REDIS], _keys(request), _letters(request), letter)
    except NotReplayable as error:
        return json_error(409, str(error))
    logger.info("console.dead_letter_replayed user=%s letter=%s new=%s", current_user(request).name,
                letter.id, new_id)
    return web.json_response({"replayed": letter.id, "new_id": new_id})


@requires("supervisor")
async def drop(request: web.Request) -> web.Response:
    """POST /api/dead-letters/{platform}/{id}/drop."""
    letter = await _letter(request)
    if letter is None:
        return json_error(404, "no such dead letter")
    await _letters(request).drop(letter.id)
    logger.info("console.dead_letter_dropped user=%s letter=%s", current_user(request).name, letter.id)
    return web.json_response({"dropped": letter.id})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register the dead-letter routes."""
    router.add_get("/api/dead-letters", list_letters, name="api_dead_letters")
    router.add_get("/api/dead-letters/{platform}/{letter_id}", get_letter, name="api_dead_letter")
    router.add_post("/api/dead-letters/{platform}/{letter_id}/replay", replay, name="api_dead_letter_replay")
    router.add_post("/api/dead-letters/{platform}/{letter_id}/drop", drop, name="api_dead_letter_drop")
