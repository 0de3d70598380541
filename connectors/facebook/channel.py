"""Rasa input channel for Facebook Messenger: ``/webhooks/facebook/webhook``.

credentials.yml needs only ``connectors.facebook.channel.MessengerInput:`` (no values);
every setting comes from the environment (``connectors.facebook.settings``) plus the
Redis variables of endpoints.yml. Without settings the channel is off (503, see
``connectors.intake.channel_base``).

GET: ``hub.mode=subscribe`` and the right ``hub.verify_token`` -> ``hub.challenge``
(text/plain), else 403. POST: ``X-Hub-Signature-256`` over the raw body, whole batch
parsed, inbound events enqueued, standby events recorded, then 200. Meta's data-deletion
callback: ``POST /webhooks/facebook/deletion`` and its status page ``GET .../deletion/status``
(``connectors.facebook.deletion_routes``).

Turns (stream consumer): ``UserMessage(text, MessengerOutput, sender_id=PSID,
input_channel="facebook", message_id=mid, metadata=...)``; see
``connectors.intake.turns`` for the text rules. Attachment-only messages start no Rasa
turn: the channel answers that it cannot open attachments and asks for words.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.events import FACEBOOK, IgnoredEvent, InboundEvent, ParsedEvent
from connectors.facebook import events as fb_events
from connectors.facebook import settings as fb_settings
from connectors.facebook.client import MessengerClient
from connectors.facebook.deletion import deletion_status_base
from connectors.facebook.deletion_routes import add_deletion_routes
from connectors.facebook.output import MessengerOutput, messenger_delivery
from connectors.http import METRICS
from connectors.intake.channel_base import OnNewMessage, WebhookChannel
from connectors.intake.turns import ATTACHMENT_REPLY, build_turn

__all__ = ["MessengerInput", "MessengerOutput", "only_our_page"]

logger = logging.getLogger(__name__)


def only_our_page(events: list[ParsedEvent], page_id: str | None) -> list[ParsedEvent]:
    """Events for another Page (when ``page_id`` is known) become ``other_account``."""
    if not page_id:
        return events
    kept: list[ParsedEvent] = []
    for event in events:
        account = getattr(event, "account_id", None)
        if account and account != page_id and not isinstance(event, IgnoredEvent):
            kept.append(IgnoredEvent(FACEBOOK, "other_account", platform_event_id=getattr(event, "platform_event_id", None),
                                     account_id=account))
        else:
            kept.append(event)
    return kept


class MessengerInput(WebhookChannel):
    """Messenger webhooks in, ``MessengerOutput`` out."""

    platform = FACEBOOK
    settings_module = fb_settings
    settings_class = fb_settings.MessengerSettings

    @classmethod
    def name(cls) -> Text:
        return "facebook"

    def __init__(self, settings: fb_settings.MessengerSettings | None, *args: Any, **kwargs: Any) -> None:
        super().__init__(settings, *args, **kwargs)
        self.client: MessengerClient | None = None  # turns (worker loop)
        self.api_client: MessengerClient | None = None  # get_output_channel (Sanic's loop)
        if settings is not None:
            self.client = MessengerClient(settings.page_access_token, settings.graph_url)
            self.api_client = MessengerClient(settings.page_access_token, settings.graph_url)
        self.deletion_base = ""  # FACEBOOK_DELETION_STATUS_URL (connectors.facebook.deletion)

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "MessengerInput":
        """The shared settings plus the data-deletion status page URL (the entry point)."""
        channel = super().from_credentials(credentials)
        channel.deletion_base = deletion_status_base(os.environ)
        return channel  # type: ignore[return-value]

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The shared webhook routes plus Meta's data-deletion callback
        (``/deletion``, ``/deletion/status``: `connectors.facebook.deletion_routes`)."""
        bp = super().blueprint(on_new_message)
        add_deletion_routes(bp, self)
        return bp

    # ------------------------------------------------------------------ webhook
    def answer_get(self, request: Request) -> HTTPResponse:
        challenge = fb_events.verify_subscription(request.args, self.settings.verify_token)
        return response.text(challenge)

    def verify(self, raw: bytes, request: Request) -> None:
        fb_events.verify_signature(self.settings.app_secret, raw,
                                   request.headers.get(fb_events.SIGNATURE_HEADER))

    def parse(self, body: Any) -> list[ParsedEvent]:
        return only_our_page(fb_events.parse_webhook(body), self.settings.page_id)

    # ------------------------------------------------------------------ turns
    async def open_platform(self) -> None:
        """The shared turn side, then this process's outbox sender delivers on Messenger."""
        await super().open_platform()
        if self.client is not None:
            self.runtime.bind_delivery(messenger_delivery(self.client))

    def get_output_channel(self) -> Optional[MessengerOutput]:
        """Output for bot-initiated messages (``/conversations/<PSID>/execute``)."""
        return MessengerOutput(self.api_client) if self.api_client is not None else None

    async def handle(self, event: InboundEvent, on_new_message: OnNewMessage) -> None:
        assert self.client is not None
        turn = build_turn(event)
        output = MessengerOutput(self.client)
        psid = event.sender_id
        if turn.text is None:
            if turn.reason == "attachment_only":
                METRICS.incr(FACEBOOK, "attachment_only")
                logger.info("messenger.attachment_only recipient=%s mid=%s attachments=%s", psid,
                            event.platform_event_id, len(event.attachments))
                await output.send_text_message(psid, ATTACHMENT_REPLY)
            return
        output.start_typing(psid)
        try:
            await on_new_message(UserMessage(
                turn.text, output, sender_id=psid, input_channel=self.name(),
                message_id=event.platform_event_id, metadata=turn.metadata))
        finally:
            await output.finish(psid)
