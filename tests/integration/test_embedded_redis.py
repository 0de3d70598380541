"""The bundled redis-server starts on loopback, persists across restarts, stops cleanly."""
import pytest
import redis.asyncio as aioredis

from core.embedded_redis import EmbeddedRedis
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
