"""The console as `socialcare run` starts it: its own process (`python -m console`) from
its ConsolePlan, health-checked like every child, on 127.0.0.1, stopped by SIGTERM."""
from __future__ import annotations

import asyncio
import os

import aiohttp
import psutil
import pytest

from core.paths import PROJECT_ROOT
from socialcare.console_plan import ConsolePlan
from socialcare.supervisor import Child, stop_child, wait_healthy
from tests.conftest import free_port
from tests.helpers.handoff_support import run_redis

RASA_TOKEN = "rasa-token-must-not-be-logged"


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    yield from run_redis(tmp_path_factory.mktemp("console-process-redis"))


@pytest.mark.asyncio
async def test_console_process_starts_answers_and_stops(redis_port, tmp_path):
    plan = ConsolePlan.on(free_port())
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "REDIS_KEY_PREFIX": "consoleproc",
           **plan.environment(f"redis://127.0.0.1:{redis_port}/0", tmp_path, free_port(), RASA_TOKEN)}
    env.pop("CONSOLE_SECRET_KEY", None)
    env.pop("SOCIALCARE_BIND_HOST", None)
    child = Child("agent console", plan.argv(), plan.health_url)
    child.proc = await asyncio.create_subprocess_exec(*child.argv, cwd=str(PROJECT_ROOT), env=env,
                                                      stdout=asyncio.subprocess.DEVNULL,
                                                      stderr=asyncio.subprocess.PIPE)
    try:
        await wait_healthy(child, timeout=60)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            async with http.get(f"{plan.url}/login") as response:
                assert response.status == 200
                assert "Agent console" in await response.text()
            async with http.get(f"{plan.url}/api/tickets") as response:
                assert response.status == 401
        # Issue 10: it listens on 127.0.0.1 only (CONSOLE_HOST / SOCIALCARE_BIND_HOST unset).
        listening = {c.laddr.ip for c in psutil.net_connections(kind="tcp")
                     if c.status == psutil.CONN_LISTEN and c.laddr.port == plan.port}
        assert listening == {"127.0.0.1"}
        # Without CONSOLE_SECRET_KEY the session key is created once in the data dir, 0600.
        key_file = tmp_path / "console_secret_key"
        assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    finally:
        await stop_child(child, timeout=10)
    assert child.proc.returncode == 0
    stderr = (await child.proc.stderr.read()).decode()
    assert "console.services_started" in stderr
    assert RASA_TOKEN not in stderr and key_file.read_text() not in stderr
