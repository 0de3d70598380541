"""A real stack for integration tests: embedded Redis, action server, Rasa, on 127.0.0.1."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from socialcare.console_plan import ConsolePlan
from socialcare.sandbox_plan import SandboxPlan
from socialcare.settings import Settings
from socialcare.supervisor import ServiceStack
from tests.conftest import free_port


@pytest.fixture(scope="module")
def stack(fast_model: Path, tmp_path_factory):
    """Start the whole service on free loopback ports with the small model; stop after."""
    data_dir = tmp_path_factory.mktemp("stack")
    settings = Settings.from_env(
        {
            "SOCIALCARE_DATA_DIR": str(data_dir),
            "EMBEDDED_REDIS_PORT": str(free_port()),
            "RASA_PORT": str(free_port()),
            "ACTION_SERVER_PORT": str(free_port()),
            "RASA_TOKEN": "integration-test-token",
        }
    )
    service = ServiceStack(settings, fast_model, quiet=True, sandbox=SandboxPlan.off(),
                           console=ConsolePlan.on(free_port()))
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(service.start(timeout=240))
        yield service
    finally:
        loop.run_until_complete(service.stop())
        loop.close()
