"""The bundled redis-server starts on loopback, persists across restarts (fsync on every
write), stops cleanly; the durability check of a configured Redis."""
import logging
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from core.embedded_redis import EmbeddedRedis, check_durability, durability_warnings, redis_command
from core.settings import RedisTarget
from socialcare.settings import Settings
from socialcare.supervisor import banner, redis_durability
from tests.conftest import free_port


@pytest.mark.asyncio
async def test_data_survives_a_restart(tmp_path):
    port = free_port()
    server = EmbeddedRedis(port, tmp_path / "redis")
    await server.start()
    client = aioredis.Redis(host="127.0.0.1", port=port, socket_timeout=2)
    try:
        await client.set("socialcare:test:key", "kept")
        await client.close()
        await server.stop()
        await server.start()
        client = aioredis.Redis(host="127.0.0.1", port=port, socket_timeout=2)
        assert await client.get("socialcare:test:key") == b"kept"
    finally:
        await client.close()
        await server.stop()
    assert (tmp_path / "redis").exists()


@pytest.mark.asyncio
async def test_embedded_server_fsyncs_every_write_and_passes_the_durability_check(tmp_path):
    port = free_port()
    server = EmbeddedRedis(port, tmp_path / "redis")
    await server.start()
    client = aioredis.Redis(host="127.0.0.1", port=port, socket_timeout=2, decode_responses=True)
    try:
        assert await client.config_get("appendfsync") == {"appendfsync": "always"}
        assert await client.config_get("appendonly") == {"appendonly": "yes"}
        assert await check_durability(client) == []
    finally:
        await client.close()
        await server.stop()


@pytest.mark.asyncio
async def test_durability_check_warns_on_no_persistence_and_eviction(tmp_path):
    port = free_port()
    server = EmbeddedRedis(port, tmp_path / "redis", persist=False)
    await server.start()
    client = aioredis.Redis(host="127.0.0.1", port=port, socket_timeout=2, decode_responses=True)
    try:
        warnings = await check_durability(client)
        assert len(warnings) == 1 and "no persistence" in warnings[0]
        await client.config_set("maxmemory-policy", "allkeys-lru")
        await client.config_set("save", "3600 1")
        warnings = await check_durability(client)
        assert len(warnings) == 1 and "allkeys-lru" in warnings[0]
    finally:
        await client.close()
        await server.stop()


@pytest.mark.asyncio
async def test_durability_check_on_an_unreachable_server_says_it_could_not_check():
    client = aioredis.Redis(host="127.0.0.1", port=free_port(), socket_timeout=1, socket_connect_timeout=1)
    try:
        [warning] = await check_durability(client, timeout=2)
        assert "could not check" in warning
    finally:
        await client.close()


def test_durability_warnings_pure():
    assert durability_warnings({"appendonly": "yes", "save": "", "maxmemory-policy": "noeviction"}) == []
    assert durability_warnings({"appendonly": "no", "save": "3600 1", "maxmemory-policy": "noeviction"}) == []
    assert len(durability_warnings({"appendonly": "no", "save": ""})) == 1
    assert len(durability_warnings({"appendonly": "no", "save": "", "maxmemory-policy": "volatile-lru"})) == 2
    assert "--appendfsync" in (cmd := redis_command(1, Path("/tmp"), binary="redis-server")) \
        and cmd[cmd.index("--appendfsync") + 1] == "always"
    with pytest.raises(ValueError):
        redis_command(1, Path("/tmp"), binary="redis-server", fsync="no")


@pytest.mark.asyncio
async def test_supervisor_warns_loudly_about_a_redis_without_persistence(tmp_path, caplog):
    port = free_port()
    server = EmbeddedRedis(port, tmp_path / "redis", persist=False)
    await server.start()
    try:
        with caplog.at_level(logging.WARNING, logger="socialcare.supervisor"):
            warnings = await redis_durability(RedisTarget("127.0.0.1", port))
    finally:
        await server.stop()
    assert len(warnings) == 1 and any("redis_not_durable" in r.getMessage() and r.levelno == logging.WARNING
                                      for r in caplog.records)
    text = banner(Settings(), "tok", False, Path("model.tar.gz"), redis_warnings=warnings)
    assert f"WARNING          {warnings[0]}" in text
