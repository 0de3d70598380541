"""Public and private on X, end to end (issue 3, section 6): the whole service as
`make run` starts it without credentials (Redis, action server, Rasa with the small
model, and the platform sandbox playing X and Messenger), driven as a customer would."""
from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from socialcare.console_plan import ConsolePlan
from socialcare.sandbox_plan import SandboxPlan
from socialcare.settings import Settings
from socialcare.supervisor import ServiceStack
from tests.conftest import free_port
from tests.helpers.intake_helpers import wait_until

pytestmark = [pytest.mark.integration]

PERSONAL = ("K7P2QX", "Smith", "LGWAU12345", "example.com")


@pytest.fixture(scope="module")
def service(fast_model: Path, tmp_path_factory):
    rasa_port = free_port()
    settings = Settings.from_env({
        "SOCIALCARE_DATA_DIR": str(tmp_path_factory.mktemp("sandbox_stack")),
        "EMBEDDED_REDIS_PORT": str(free_port()), "RASA_PORT": str(rasa_port),
        "ACTION_SERVER_PORT": str(free_port()), "RASA_TOKEN": "integration-test-token",
    })
    stack = ServiceStack(settings, fast_model, quiet=True, sandbox=SandboxPlan.on(free_port(), rasa_port),
                         console=ConsolePlan.off())
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(stack.start(timeout=300))
        yield stack
    finally:
        loop.run_until_complete(stack.stop())
        loop.close()


class Customer:
    def __init__(self, http: aiohttp.ClientSession, url: str, name: str) -> None:
        self.http, self.url, self.name = http, url, name

    async def say(self, channel: str, text: str) -> dict:
        async with self.http.post(f"{self.url}/sandbox/api/messages",
                                  json={"channel": channel, "customer": self.name, "text": text}) as response:
            assert response.status == 200
            item = await response.json()
        assert item["status"] == "delivered"
        return item

    async def replies(self, channel: str) -> list[str]:
        async with self.http.get(f"{self.url}/sandbox/api/outbound") as response:
            calls = await response.json()
        return [c["text"] for c in calls if c["customer"] == self.name and c["channel"] == channel
                and c["text"] is not None and 200 <= c["status"] < 300]


def _run(coro):
    return asyncio.run(coro)


def test_account_question_in_public_is_taken_to_dm(service):
    async def scenario():
        async with aiohttp.ClientSession() as http:
            erin = Customer(http, service.sandbox.url, "erin")

            async def dm_replies_at_least(count: int) -> bool:
                return len(await erin.replies("x_dm")) >= count

            await erin.say("x_mention", "can you look up my booking K7P2QX please")
            await wait_until(lambda: erin.replies("x_mention"), timeout=60, message="public reply")
            # The conversation continues in private.
            await erin.say("x_dm", "look up booking K7P2QX")
            await wait_until(lambda: dm_replies_at_least(1), timeout=60, message="DM reply")
            await erin.say("x_dm", "Smith")
            await wait_until(lambda: dm_replies_at_least(2), timeout=60, message="second DM reply")
            return await erin.replies("x_mention"), await erin.replies("x_dm")

    public, private = _run(scenario())
    assert len(public) == 1  # one short public reply, nothing more in public
    assert len(public[0]) <= 280
    assert "direct message" in public[0].lower() or " dm" in public[0].lower()
    assert not any(value in public[0] for value in PERSONAL)
    assert any("K7P2QX" in text for text in private)  # the details went by DM


def test_public_complaint_never_shows_personal_data(service):
    async def scenario():
        async with aiohttp.ClientSession() as http:
            gus = Customer(http, service.sandbox.url, "gus")
            await gus.say("x_mention", "my bag never arrived in Dublin, file LGWAU12345, email gus@example.com")
            await wait_until(lambda: gus.replies("x_mention"), timeout=60, message="public reply")
            return await gus.replies("x_mention")

    public = _run(scenario())
    assert len(public) == 1
    assert not any(value in public[0] for value in PERSONAL + ("gus@",))
