"""Run Rasa input channels in a small Sanic app on 127.0.0.1, with a recording fake
``on_new_message`` that plays the bot (it answers through the message's output channel)."""
from __future__ import annotations

import uuid
from typing import Any, Awaitable, Callable
from urllib.parse import urljoin

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic

from tests.conftest import free_port

Bot = Callable[[UserMessage], Awaitable[None]]


async def plain_bot(message: UserMessage) -> None:
    """Answers every message with one short, public-safe sentence."""
    await message.output_channel.send_text_message(message.sender_id, "Thanks, we're looking into it.")


class FakeRasa:
    """Records every ``UserMessage`` and lets ``bot`` answer it."""

    def __init__(self, bot: Bot = plain_bot) -> None:
        self.messages: list[UserMessage] = []
        self.bot = bot

    async def on_new_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        await self.bot(message)

    def texts(self, sender_id: str | None = None) -> list[str]:
        return [m.text for m in self.messages if sender_id is None or m.sender_id == sender_id]


class ChannelServer:
    """A Sanic app with the channels' blueprints under ``/webhooks/``, served on a free
    loopback port; listeners (intake open, consumer start/stop) run as in ``rasa run``."""

    def __init__(self, channels: list[InputChannel], rasa: FakeRasa, port: int | None = None) -> None:
        Sanic.test_mode = True
        self.app = Sanic(f"socialcare_test_{uuid.uuid4().hex[:8]}")
        self.app.config.ACCESS_LOG = False
        for channel in channels:
            blueprint = channel.blueprint(rasa.on_new_message)
            self.app.blueprint(blueprint, url_prefix=urljoin("/webhooks/", channel.url_prefix()))
        self.port = port or free_port()
        self.server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> "ChannelServer":
        self.server = await self.app.create_server(host="127.0.0.1", port=self.port,
                                                   return_asyncio_server=True, access_log=False)
        await self.server.startup()
        await self.server.before_start()
        await self.server.after_start()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.server.before_stop()
        for connection in list(self.server.connections):
            connection.close_if_idle()
        self.server.close()
        await self.server.wait_closed()
        await self.server.after_stop()
