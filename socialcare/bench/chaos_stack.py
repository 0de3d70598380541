"""The stack `make chaos` runs against and the process faults it injects.

``bench_stack`` builds the same stack as `make bench` (embedded Redis, action server,
platform sandbox, Rasa with our channels and ``consumers`` consume-only Rasa processes,
no console) on free loopback ports; the helpers below kill, stop and restart its
processes. The supervisor does not restart a dead child (one that dies stops `socialcare
run`), so the harness restarts it and says so in the scenario's notes.
"""
from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import List, Mapping, Optional

from core.paths import PROJECT_ROOT
from socialcare.bench.throughput import free_port, pick_model
from socialcare.console_plan import ConsolePlan
from socialcare.sandbox_plan import SandboxPlan
from socialcare.settings import Settings
from socialcare.supervisor import CONSUMER_NAME, Child, ServiceStack, wait_healthy

__all__ = ["bench_stack", "consumer", "kill_child", "restart_child", "redis_pid", "kill_redis",
           "restart_redis", "revive"]


def bench_stack(workdir: Path, consumers: int, env: Mapping[str, str], model: Optional[Path] = None,
                webhook_timeout_s: float = 20.0) -> ServiceStack:
    """A quiet stack with the sandbox on free ports under ``workdir`` (children from ``env``)."""
    rasa_port = free_port()
    settings = Settings.from_env({
        "SOCIALCARE_DATA_DIR": str(workdir), "EMBEDDED_REDIS_PORT": str(free_port()),
        "RASA_PORT": str(rasa_port), "ACTION_SERVER_PORT": str(free_port()), "RASA_TOKEN": "bench",
        "RASA_CONSUMERS": str(consumers), "RASA_CONSUMER_PORT": str(free_port()),
        "RASA_CONSUMER_NICE": env.get("RASA_CONSUMER_NICE", "5"),
    })
    children_env = {**env, "SANDBOX_WEBHOOK_TIMEOUT_S": f"{webhook_timeout_s:g}"}
    return ServiceStack(settings, pick_model(model, settings), quiet=True,
                        sandbox=SandboxPlan.on(free_port(), rasa_port), console=ConsolePlan.off(),
                        env=children_env)


def consumer(stack: ServiceStack) -> Optional[Child]:
    """The first consume-only Rasa (None without ``RASA_CONSUMERS``)."""
    return next((c for c in stack.children if c.name.startswith(CONSUMER_NAME)), None)


async def kill_child(child: Child) -> None:
    """``kill -9`` the child and reap it."""
    if child.proc is not None and child.proc.returncode is None:
        os.kill(child.proc.pid, signal.SIGKILL)
        await child.proc.wait()


async def restart_child(stack: ServiceStack, child: Child, timeout: float = 400) -> None:
    """Start ``child`` again the way the stack started it and wait until it is healthy."""
    child.proc = await asyncio.create_subprocess_exec(
        *child.argv, cwd=str(PROJECT_ROOT), env={**stack.environment(), **child.env},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    await wait_healthy(child, timeout=timeout)


def _redis_proc(stack: ServiceStack) -> Optional[asyncio.subprocess.Process]:
    return getattr(stack.embedded, "_proc", None)  # the embedded server's process (as the bench peeks)


def redis_pid(stack: ServiceStack) -> Optional[int]:
    """The embedded redis-server's pid (None when it is not running)."""
    proc = _redis_proc(stack)
    return proc.pid if proc is not None and proc.returncode is None else None


async def kill_redis(stack: ServiceStack) -> None:
    """``kill -9`` the embedded redis-server and reap it."""
    proc = _redis_proc(stack)
    if proc is not None and proc.returncode is None:
        os.kill(proc.pid, signal.SIGKILL)
        await proc.wait()


async def restart_redis(stack: ServiceStack) -> None:
    """Start the embedded redis-server again: same port, same data dir (its AOF)."""
    assert stack.embedded is not None, "chaos needs the embedded Redis"
    await stack.embedded.start()


async def revive(stack: ServiceStack) -> List[str]:
    """Restart whatever died (Redis first); a note per restart."""
    notes = []
    if stack.embedded is not None and redis_pid(stack) is None:
        await restart_redis(stack)
        notes.append("redis-server was down: restarted by the harness")
    for child in stack.children:
        if child.proc is not None and child.proc.returncode is not None:
            code = child.proc.returncode
            await restart_child(stack, child)
            notes.append(f"{child.name} had exited ({code}): restarted by the harness")
    return notes
