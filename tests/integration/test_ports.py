"""Issue 10 item 1: the action server listens on 127.0.0.1 only unless told otherwise.

Starts the real `python -m bot.actions.serve` on a free port and reads the kernel's table
of listening sockets (psutil, /proc/net/tcp and tcp6 on Linux) for that port.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psutil

from tests.conftest import free_port
from tests.helpers.action_fakes import ROOT


def _listeners(port: int):
    return sorted({c.laddr.ip for c in psutil.net_connections(kind="tcp")
                   if c.status == psutil.CONN_LISTEN and c.laddr.port == port})


def _wait_healthy(proc: subprocess.Popen, port: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"action server exited with {proc.returncode}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise AssertionError("action server not healthy in time")


def test_the_action_server_listens_on_loopback_only():
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("SOCIALCARE_BIND_HOST", "SANIC_HOST")}
    proc = subprocess.Popen([sys.executable, "-m", "bot.actions.serve", "--port", str(port), "--no-warm-up"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_healthy(proc, port)
        assert _listeners(port) == ["127.0.0.1"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_the_whole_stack_listens_on_loopback_only(stack):
    """Rasa (REST channel and HTTP API), the action server and the console of `make run`."""
    ports = {"rasa": stack.settings.rasa_port, "actions": stack.settings.action_port, "console": stack.console.port}
    assert stack.bind_host == "127.0.0.1"
    assert {name: _listeners(port) for name, port in ports.items()} == {name: ["127.0.0.1"] for name in ports}
