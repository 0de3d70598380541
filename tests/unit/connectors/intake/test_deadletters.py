"""The dead-letter store on a real redis-server: add, list, get, drop, count, TTL by stream
id, and reading the consumer's own dead-letter entries (same stream, same fields)."""
from __future__ import annotations

import json

import pytest
import pytest_asyncio

from connectors.intake.deadletters import DEFAULT_TTL_S, DeadLetters, DeadLetterSettings, item_json
from connectors.intake.keys import IntakeKeys
from core.settings import SettingsError
from tests.helpers.intake_helpers import RedisServer

pytestmark = [pytest.mark.integration]

KEYS = IntakeKeys("sctest")


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture
async def redis_server(tmp_path):
    async with RedisServer(tmp_path / "redis") as server:
        yield server


def test_settings_default_and_env():
    assert DeadLetterSettings().ttl_s == DEFAULT_TTL_S == 14 * 24 * 3600
    assert DeadLetterSettings.from_env({"DEAD_LETTER_TTL_S": "3600"}).ttl_s == 3600
    with pytest.raises(SettingsError):
        DeadLetterSettings.from_env({"DEAD_LETTER_TTL_S": "5"})


def test_item_json_escapes_lone_surrogates():
    text = item_json({"text": "a\ud800b"})
    text.encode("utf-8")  # would raise with the surrogate left raw
    assert json.loads(text) == {"text": "a\ud800b"}


@pytest.mark.asyncio
async def test_add_list_get_drop_count(redis_server):
    store = DeadLetters(redis_server.client, KEYS)
    first = await store.add("facebook", "malformed:entry[0].messaging[0].sender: expected an object",
                            item_json({"recipient": {"id": "p"}}))
    second, third = await store.add_many([("twitter", "malformed:x", item_json([1])),
                                          ("facebook", "r" * 500, item_json({}))])
    assert await store.count() == 3
    newest = await store.list(10)
    assert [letter.id for letter in newest] == [third, second, first]
    assert len(newest[0].reason) == 200
    oldest = await store.list(1, newest_first=False)
    assert oldest[0].id == first and oldest[0].source == "webhook"
    assert json.loads(oldest[0].data) == {"recipient": {"id": "p"}}
    assert "recipient" not in repr(oldest[0])  # data stays out of logs
    assert [letter.id for letter in await store.list(10, platform="twitter")] == [second]
    got = await store.get(second)
    assert (got.platform, got.reason, got.data) == ("twitter", "malformed:x", "[1]")
    assert await store.get("nonsense") is None and await store.get("1-0") is None
    assert await store.drop(second) is True and await store.drop(second) is False
    assert await store.count() == 2
    with pytest.raises(ValueError):
        await store.add("Bad Platform", "r", "{}")
    with pytest.raises(ValueError):
        await store.add("facebook", "r", "{}", extra={"reason": "override"})


@pytest.mark.asyncio
async def test_ttl_hides_then_purges_old_letters(redis_server):
    clock = Clock(1_000_000.0)
    store = DeadLetters(redis_server.client, KEYS, DeadLetterSettings(ttl_s=3600), clock=clock)
    # Stream ids are the server's time; pin them to the fake clock to age them.
    old_id = "1000000000-0"
    await redis_server.client.xadd(KEYS.dead_letter(), {"platform": "facebook", "reason": "old", "data": "{}",
                                                        "at_ms": "1000000000"}, id=old_id)
    clock.now = 1_000_000.0 + 3599
    assert [letter.id for letter in await store.list()] == [old_id]
    clock.now = 1_000_000.0 + 3601
    assert await store.list() == [] and await store.get(old_id) is None
    assert await redis_server.client.xlen(KEYS.dead_letter()) == 1  # hidden, not yet trimmed
    assert await store.count() == 0
    assert await redis_server.client.xlen(KEYS.dead_letter()) == 0  # count purged it


@pytest.mark.asyncio
async def test_reads_the_consumers_dead_letters(redis_server):
    # The exact fields connectors.intake.consumer._to_dead writes.
    fields = {"entry_id": "1-1", "platform": "facebook", "thread": "u1", "event_id": "m_1",
              "reason": "handler_failed:RuntimeError", "failures": "5", "consumer": "c1",
              "at_ms": "1700000000000", "v": "1", "data": '{"v":1,"event":{}}'}
    entry_id = await redis_server.client.xadd(KEYS.dead_letter(), fields)
    store = DeadLetters(redis_server.client, KEYS)
    [letter] = await store.list()
    assert (letter.id, letter.source, letter.reason, letter.at_ms) == (
        entry_id, "consumer", "handler_failed:RuntimeError", 1700000000000)
    assert letter.fields["event_id"] == "m_1" and letter.data == '{"v":1,"event":{}}'
