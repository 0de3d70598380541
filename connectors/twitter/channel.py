"""Rasa input channel for X (Twitter): ``/webhooks/twitter/webhook``.

credentials.yml needs only ``connectors.twitter.channel.XInput:`` (no values); every
setting comes from the environment (``connectors.twitter.settings``) plus the Redis
variables of endpoints.yml. Without settings the channel is off (503).

GET ``?crc_token=`` -> ``{"response_token": "sha256=..."}`` (no Redis, no model). The
token must be a plain token (letters, digits, ``+/=_.~-``, at most 256): the CRC answer
is an HMAC under the same key as POST signatures, so echoing an arbitrary string would
let anyone obtain a valid signature for a JSON body of their choice. When X signs the
GET, the signature over the raw query string is checked too. POST:
``x-twitter-webhooks-signature`` over the raw body, whole delivery parsed (AAA and XAA),
inbound events enqueued, then 200.

Turns: one tracker per customer in every format: ``sender_id`` is always the author's
X user id (``conversation_of``), never a thread's conversation id, so two customers
replying in one brand thread never share slots or a ticket. DMs ->
``metadata.channel="twitter_dm"``, with a numbered-option answer mapped back to its
payload; mentions -> ``metadata.channel="twitter_mention"`` with the thread
(``thread_id``: the post's ``conversation_id``) and ``tweet_id`` in the metadata as the
reply target, answered by one public reply that ``XOutput`` keeps free of personal data
(or moves to a DM).
"""
from __future__ import annotations

import logging
import re
from typing import Any, Optional, Sequence, Text

from rasa.core.channels.channel import UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.events import TWITTER, InboundEvent, ParsedEvent
from connectors.http import METRICS
from connectors.intake import webhook
from connectors.intake.channel_base import OnNewMessage, WebhookChannel
from connectors.intake.queue import conversation_of
from connectors.intake.turns import ATTACHMENT_PUBLIC_REPLY, ATTACHMENT_REPLY, build_turn
from connectors.twitter import events as x_events
from connectors.twitter import settings as x_settings
from connectors.twitter.client import XClient
from connectors.twitter.options import OptionsStore
from connectors.twitter.outbound import match_option
from connectors.twitter.output import MentionTarget, XOutput, x_delivery
from connectors.twitter.privacy import PERSONAL_SLOTS

__all__ = ["XInput", "XOutput", "PERSONAL_SLOTS"]

logger = logging.getLogger(__name__)

_CRC_TOKEN = re.compile(r"[A-Za-z0-9+/=_.~-]{1,256}")


class XInput(WebhookChannel):
    """X Account Activity / Activity API webhooks in, ``XOutput`` out."""

    platform = TWITTER
    settings_module = x_settings
    settings_class = x_settings.XSettings

    @classmethod
    def name(cls) -> Text:
        return "twitter"

    def __init__(self, settings: x_settings.XSettings | None, *args: Any, **kwargs: Any) -> None:
        super().__init__(settings, *args, **kwargs)
        self.client: XClient | None = None  # turns (worker loop)
        self.options: OptionsStore | None = None
        self.api_client: XClient | None = None  # get_output_channel (Sanic's loop)
        self.api_options: OptionsStore | None = None
        if settings is not None:
            credentials = (settings.consumer_key, settings.consumer_secret, settings.access_token,
                           settings.access_token_secret, settings.api_url)
            self.client, self.api_client = XClient(*credentials), XClient(*credentials)

    # ------------------------------------------------------------------ webhook
    def answer_get(self, request: Request) -> HTTPResponse:
        token = request.args.get("crc_token")
        if not isinstance(token, str) or not _CRC_TOKEN.fullmatch(token):
            return webhook.error(400, "invalid_crc_token")
        signature = request.headers.get(x_events.SIGNATURE_HEADER)
        if signature is not None:
            x_events.verify_signature(self.settings.consumer_secret,
                                      (request.query_string or "").encode("utf-8"), signature)
        return response.json(x_events.crc_response(self.settings.consumer_secret, token))

    def verify(self, raw: bytes, request: Request) -> None:
        x_events.verify_signature(self.settings.consumer_secret, raw,
                                  request.headers.get(x_events.SIGNATURE_HEADER))

    def parse(self, body: Any) -> list[ParsedEvent]:
        return x_events.parse_webhook(body, self.settings.user_id)

    # ------------------------------------------------------------------ turns
    async def open_platform(self) -> None:
        await super().open_platform()
        self.options = OptionsStore(await self.runtime.open_worker(), self.runtime.keys)
        if self.client is not None:
            self.runtime.bind_delivery(x_delivery(self.client))

    async def open_api(self) -> None:
        await super().open_api()
        self.api_options = OptionsStore(self.runtime.redis, self.runtime.keys)

    def get_output_channel(self) -> Optional[XOutput]:
        """DM output for bot-initiated messages (the conversation id must be a user id)."""
        return XOutput(self.api_client, options=self.api_options) if self.api_client is not None else None

    async def personal_values(self, sender_id: str) -> Sequence[str]:
        """Personal slot values of a conversation, from Rasa's tracker store (if loaded)."""
        agent = getattr(getattr(self.app, "ctx", None), "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return []
        tracker = await store.retrieve(sender_id)
        if tracker is None:
            return []
        values = (tracker.get_slot(name) for name in PERSONAL_SLOTS)
        return [str(value) for value in values if value not in (None, "", [], {})]

    async def handle(self, event: InboundEvent, on_new_message: OnNewMessage) -> None:
        assert self.client is not None
        customer = conversation_of(event)  # the author: one tracker per customer
        option_payload = None
        if event.is_public:
            target = MentionTarget(str(event.metadata.get("tweet_id") or event.platform_event_id), event.sender_id)
            output = XOutput(self.client, options=self.options, mention=target,
                             personal_values=lambda: self.personal_values(customer))
        else:
            output = XOutput(self.client, options=self.options)
            if self.options is not None and event.kind == "message" and event.text:
                option_payload = match_option(event.text, await self.options.load(customer))
        turn = build_turn(event, option_payload=option_payload)
        if turn.text is None:
            if turn.reason == "attachment_only":
                METRICS.incr(TWITTER, "attachment_only")
                logger.info("x.attachment_only event_id=%s public=%s attachments=%s", event.platform_event_id,
                            event.is_public, len(event.attachments))
                if event.is_public:
                    await output.reply_public(ATTACHMENT_PUBLIC_REPLY)
                else:
                    await output.send_text_message(event.sender_id, ATTACHMENT_REPLY)
            return
        await on_new_message(UserMessage(
            turn.text, output, sender_id=customer, input_channel=self.name(),
            message_id=event.platform_event_id, metadata=turn.metadata))
        await output.finish()
