"""The supervisor restarts a crashed child (a consume-only Rasa killed -9, say) a few
times, then gives up: real child processes on 127.0.0.1, bounded waits."""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from socialcare.console_plan import ConsolePlan
from socialcare.sandbox_plan import SandboxPlan
from socialcare.settings import Settings
from socialcare.supervisor import Child, ServiceStack, may_restart
from tests.conftest import free_port

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


def test_restarts_are_limited_per_window():
    assert may_restart([], 100.0, limit=3, window=600)
    assert may_restart([1.0, 2.0], 100.0, limit=3, window=600)
    assert not may_restart([1.0, 2.0, 3.0], 100.0, limit=3, window=600)
    assert may_restart([1.0, 2.0, 3.0], 700.0, limit=3, window=600)  # old restarts no longer count


def _stack(tmp_path: Path) -> ServiceStack:
    settings = Settings.from_env({"SOCIALCARE_DATA_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:1/0"})
    stack = ServiceStack(settings, tmp_path / "model.tar.gz", quiet=True, sandbox=SandboxPlan.off(),
                         console=ConsolePlan.off(), env={})
    port = free_port()
    stack.children = [Child("web", [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                            f"http://127.0.0.1:{port}/")]
    return stack


async def test_a_killed_child_is_restarted_and_a_crash_loop_gives_up(tmp_path):
    stack = _stack(tmp_path)
    child = stack.children[0]
    try:
        await stack.spawn(child, timeout=30)
        first = child.proc.pid
        os.kill(first, signal.SIGKILL)
        assert await stack.wait_for_exit() == ["web"]
        assert await stack.restart_crashed(now=10.0) == []
        assert child.proc.returncode is None and child.proc.pid != first  # healthy again, a new process
        for now in (20.0, 30.0):
            os.kill(child.proc.pid, signal.SIGKILL)
            await stack.wait_for_exit()
            assert await stack.restart_crashed(now=now) == []
        os.kill(child.proc.pid, signal.SIGKILL)
        await stack.wait_for_exit()
        assert await stack.restart_crashed(now=40.0) == ["web"]  # the 4th crash in 10 minutes
    finally:
        await stack.stop()
