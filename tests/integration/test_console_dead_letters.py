"""The supervisor's dead-letter view (console JSON API) and ``socialcare dead-letters``
against a real Redis: list without text, show with text, replay into the intake stream or
the outbox, drop; supervisors only (issue 10, item 5)."""
from __future__ import annotations

import argparse
import io
import json

import pytest
import pytest_asyncio

from connectors.intake.deadletters import DeadLetters, DeadLetterSettings
from connectors.intake.keys import IntakeKeys
from connectors.intake.queue import encode_event
from connectors.outbox.replies import Reply, encode
from console import appkeys
from socialcare.deadletters import run_dead_letters
from socialcare.settings import Settings
from tests.helpers.console_harness import add_user, console_server, console_settings, login, new_client
from tests.helpers.handoff_support import run_redis
from tests.helpers.intake_helpers import message

SECRET = "my booking is AB12CD, email ann@example.com"


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    yield from run_redis(tmp_path_factory.mktemp("console-dead-redis"))


@pytest_asyncio.fixture
async def server(redis_port, tmp_path):
    async with console_server(console_settings(redis_port, tmp_path)) as srv:
        await add_user(srv, "sam", "supervisor")
        await add_user(srv, "ann", "agent")
        yield srv


def keys_of(server) -> IntakeKeys:
    return IntakeKeys(server.app[appkeys.SETTINGS].redis.key_prefix)


async def seed(redis, keys: IntakeKeys) -> dict[str, str]:
    letters = DeadLetters(redis, keys)
    event = message("m_dead_1", "psid-9", SECRET)
    consumer = await letters.add("facebook", "max_deliveries", encode_event(event),
                                 extra={"source": "consumer", "entry_id": "1-0", "event_id": "m_dead_1",
                                        "thread": "psid-9"})
    reply = Reply("2-0:0", "facebook", "psid-9", "send_text", "psid-9", {"text": SECRET})
    outbox = await letters.add("facebook", "send_outcome_unknown:timeout", encode(reply),
                               extra={"source": "outbox", "reply_id": reply.reply_id, "thread": "psid-9"})
    webhook = await letters.add("facebook", "malformed:entry[0].messaging[0].sender: missing", '{"x": 1}')
    return {"consumer": consumer, "outbox": outbox, "webhook": webhook}


async def client_of(server, name: str):
    client = new_client(server)
    await client.start_server()
    status, token = await login(client, name)
    assert status == 200
    return client, token


@pytest.mark.asyncio
async def test_supervisor_lists_shows_replays_and_drops_dead_letters(server):
    redis, keys = server.app[appkeys.REDIS], keys_of(server)
    ids = await seed(redis, keys)
    sam, token = await client_of(server, "sam")
    ann, _ = await client_of(server, "ann")
    try:
        assert (await ann.get("/api/dead-letters")).status == 403  # agents never see them
        listing = await (await sam.get("/api/dead-letters")).json()
        assert listing["count"] == 3 and SECRET not in json.dumps(listing)
        assert {row["source"] for row in listing["letters"]} == {"consumer", "outbox", "webhook"}
        shown = await (await sam.get(f"/api/dead-letters/facebook/{ids['consumer']}")).json()
        assert SECRET in shown["data"] and shown["reason"] == "max_deliveries"
        assert (await sam.get(f"/api/dead-letters/twitter/{ids['consumer']}")).status == 404

        headers = {"X-CSRF-Token": token}
        replayed = await sam.post(f"/api/dead-letters/facebook/{ids['consumer']}/replay", headers=headers)
        assert replayed.status == 200
        [(_, fields)] = await redis.xrange(keys.stream("facebook"))
        assert fields["event_id"] == "m_dead_1" and fields["thread"] == "psid-9"
        again = await sam.post(f"/api/dead-letters/facebook/{ids['outbox']}/replay", headers=headers)
        assert again.status == 200 and (await again.json())["new_id"].startswith("2-0:0:replay:")
        assert await redis.llen(keys.outbox("facebook", "psid-9")) == 1
        assert await redis.zscore(keys.outbox_due("facebook"), "psid-9") is not None
        refused = await sam.post(f"/api/dead-letters/facebook/{ids['webhook']}/replay", headers=headers)
        assert refused.status == 409
        dropped = await sam.post(f"/api/dead-letters/facebook/{ids['webhook']}/drop", headers=headers)
        assert dropped.status == 200
        assert (await (await sam.get("/api/dead-letters")).json())["count"] == 0
    finally:
        await sam.close()
        await ann.close()


@pytest.mark.asyncio
async def test_cli_lists_without_text_and_replays(server, redis_port):
    redis = server.app[appkeys.REDIS]
    prefix = server.app[appkeys.SETTINGS].redis.key_prefix
    ids = await seed(redis, IntakeKeys(prefix))
    settings = Settings.from_env({"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(redis_port),
                                  "REDIS_KEY_PREFIX": prefix, "REDIS_EMBEDDED": "0"})
    out = io.StringIO()
    assert await run_dead_letters(argparse.Namespace(action="list", platform=None, limit=10), settings,
                                  DeadLetterSettings(), out) == 0
    lines = out.getvalue().splitlines()
    assert json.loads(lines[0]) == {"count": 3} and len(lines) == 4 and SECRET not in out.getvalue()
    shown = io.StringIO()
    await run_dead_letters(argparse.Namespace(action="show", letter_id=ids["outbox"]), settings,
                           DeadLetterSettings(), shown)
    assert SECRET in shown.getvalue()
    assert await run_dead_letters(argparse.Namespace(action="replay", letter_id=ids["consumer"]), settings,
                                  DeadLetterSettings(), io.StringIO()) == 0
    assert await redis.xlen(IntakeKeys(prefix).stream("facebook")) == 1
    assert await run_dead_letters(argparse.Namespace(action="drop", letter_id=ids["webhook"]), settings,
                                  DeadLetterSettings(), io.StringIO()) == 0
    assert await DeadLetters(redis, IntakeKeys(prefix)).count() == 1
