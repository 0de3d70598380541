"""The Messenger channel in a process of its own, for crash tests.

``python -m tests.helpers.channel_process PORT`` serves ``/webhooks/facebook/`` on
127.0.0.1:PORT with settings from the environment (``FACEBOOK_*``, ``REDIS_*``,
``INTAKE_*``) and a fake bot that answers "answer to <text>". While the file named by
``HANG_FILE`` exists, the bot instead writes the message id to ``ENTERED_FILE`` and never
finishes its turn, so the test can kill the process mid-turn. ``INTAKE_ROLE`` applies
as in Rasa (``receive``: no consumer). ``start_channel_process`` starts it from a test.
"""
from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import aiohttp
from rasa.core.channels.channel import UserMessage

from connectors.facebook.channel import MessengerInput
from tests.conftest import PROJECT_ROOT
from tests.helpers.channel_harness import ChannelServer, FakeRasa
from tests.helpers.intake_helpers import wait_until


async def bot(message: UserMessage) -> None:
    """Answer once, or hang mid-turn while ``HANG_FILE`` exists."""
    hang = os.environ.get("HANG_FILE")
    if hang and Path(hang).exists():
        Path(os.environ["ENTERED_FILE"]).write_text(str(message.message_id))
        await asyncio.Event().wait()
    await message.output_channel.send_text_message(message.sender_id, f"answer to {message.text}")


async def start_channel_process(env: dict, port: int, log_path) -> asyncio.subprocess.Process:
    """Start this module as a process on ``port`` (output appended to ``log_path``) and
    wait (bounded) until its Messenger channel answers its health check."""
    log = open(log_path, "ab")
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.helpers.channel_process", str(port),
            cwd=str(PROJECT_ROOT), env=env, stdout=log, stderr=log)
    finally:
        log.close()
    url = f"http://127.0.0.1:{port}/webhooks/facebook/"

    async def healthy() -> bool:
        if proc.returncode is not None:
            raise AssertionError(f"channel process exited with {proc.returncode}; see {log_path}")
        try:
            async with aiohttp.ClientSession() as http, http.get(url) as response:
                return response.status == 200 and (await response.json())["status"] == "ok"
        except aiohttp.ClientError:
            return False

    await wait_until(healthy, timeout=90, interval=0.2, message="channel process up")
    return proc


async def serve(port: int) -> None:
    channel = MessengerInput.from_credentials(None)
    async with ChannelServer([channel], FakeRasa(bot), port=port):
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
