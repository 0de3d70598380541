"""The Messenger channel in a process of its own, for crash tests.

``python -m tests.integration.channel_process PORT`` serves ``/webhooks/facebook/`` on
127.0.0.1:PORT with settings from the environment (``FACEBOOK_*``, ``REDIS_*``,
``INTAKE_*``) and a fake bot that answers "answer to <text>". While the file named by
``HANG_FILE`` exists, the bot instead writes the message id to ``ENTERED_FILE`` and never
finishes its turn, so the test can kill the process mid-turn.
"""
from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from rasa.core.channels.channel import UserMessage

from connectors.facebook.channel import MessengerInput
from tests.integration.channel_harness import ChannelServer, FakeRasa


async def bot(message: UserMessage) -> None:
    """Answer once, or hang mid-turn while ``HANG_FILE`` exists."""
    hang = os.environ.get("HANG_FILE")
    if hang and Path(hang).exists():
        Path(os.environ["ENTERED_FILE"]).write_text(str(message.message_id))
        await asyncio.Event().wait()
    await message.output_channel.send_text_message(message.sender_id, f"answer to {message.text}")


async def serve(port: int) -> None:
    channel = MessengerInput.from_credentials(None)
    async with ChannelServer([channel], FakeRasa(bot), port=port):
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
