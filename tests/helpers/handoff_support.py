"""Helpers for the handoff tests: a throwaway loopback redis-server and ticket factories."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Iterator

import redis

from core.embedded_redis import redis_command
from tests.conftest import free_port


class RedisProcess:
    """The bundled redis-server (append-only, 127.0.0.1) as a child process."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = 0
        self.proc = None

    def start(self) -> int:
        """Start on a free port; wait (bounded) until PING answers; return the port."""
        self.port = free_port()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(redis_command(self.port, self.data_dir, persist=True),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1, socket_connect_timeout=1)
        try:
            deadline = time.monotonic() + 15
            while True:
                try:
                    if client.ping():
                        return self.port
                except redis.RedisError:
                    pass
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        """SIGTERM (redis flushes its append-only file), SIGKILL after 10 s."""
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


def run_redis(data_dir: Path) -> Iterator[int]:
    """Generator for fixtures: start a RedisProcess, yield its port, stop it after."""
    server = RedisProcess(data_dir)
    try:
        yield server.start()
    finally:
        server.stop()


class FakeRasaAPI:
    """Records ``POST /conversations/<id>/tracker/events`` (checks the token) on 127.0.0.1."""

    def __init__(self, token: str = "rasa-test-token") -> None:
        self.token = token
        self.events = []  # (sender_id, event)
        self.fail = False
        self._runner = None
        self.url = ""

    async def start(self) -> str:
        from aiohttp import web

        async def append(request):
            if request.query.get("token") != self.token:
                return web.json_response({"status": "failure"}, status=401)
            if self.fail:
                return web.json_response({"status": "failure"}, status=500)
            for event in await request.json():
                self.events.append((request.match_info["sender"], event))
            return web.json_response({"sender_id": request.match_info["sender"]})

        app = web.Application()
        app.router.add_post("/conversations/{sender}/tracker/events", append)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def kinds(self, sender: str):
        return [e["event"] for s, e in self.events if s == sender]
