"""Rasa output channel for Messenger, on ``MessengerClient`` (async, retries).

* text -> ``send_text`` (split under 2,000 chars, ``messaging_type: RESPONSE``);
* Rasa buttons / quick replies -> Messenger quick replies; buttons with a ``url`` ->
  a button template (``send_buttons``);
* ``start_typing`` shows ``typing_on`` while the turn runs; the first send waits for it
  so the indicator never lands after the answer; ``finish`` hides it if nothing was sent.

Inside a stream-consumer turn (``connectors.outbox.replies.current``) messages are not
sent here: they are recorded in the turn's replies, and the outbox sender delivers them
after the turn's ack with ``messenger_delivery`` (once each, rate limits waited out).
Typing indicators stay direct and best effort. Outside a turn (Rasa's HTTP API) sends
are direct: platform refusals never crash the turn (the tracker already holds it): a
closed 24 h window, a thread owned by another app (handover) or a failed send after
retries are logged with ids and counted in ``connectors.http.METRICS``.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Text

from rasa.core.channels.channel import OutputChannel

from connectors.events import FACEBOOK
from connectors.facebook.client import MessengerClient
from connectors.http import (
    METRICS,
    SINGLE_ATTEMPT,
    Metrics,
    OutsideMessagingWindow,
    PlatformError,
    ThreadControlledByOtherApp,
)
from connectors.outbox.replies import Delivery, Reply, current

__all__ = ["MessengerOutput", "messenger_delivery"]

logger = logging.getLogger(__name__)
TYPING_WAIT_S = 3.0


def messenger_delivery(client: MessengerClient) -> Delivery:
    """The outbox delivery of recorded Messenger replies on ``client`` (one attempt each;
    the outbox schedules retries and rate-limit waits)."""

    async def deliver(reply: Reply, parts_done: int) -> None:
        single = client.with_retry(SINGLE_ATTEMPT)
        body = reply.body
        if reply.op == "send_buttons":
            await single.send_buttons(reply.recipient, body.get("text", ""), body.get("buttons") or [],
                                      skip_parts=parts_done)
        else:
            await single.send_text(reply.recipient, body.get("text", ""),
                                   quick_replies=body.get("quick_replies") or None, skip_parts=parts_done)

    return deliver


class MessengerOutput(OutputChannel):
    """Sends the bot's messages of one turn to a Messenger user (PSID)."""

    @classmethod
    def name(cls) -> Text:
        return FACEBOOK

    def __init__(self, client: MessengerClient, *, metrics: Metrics = METRICS) -> None:
        self.client = client
        self.metrics = metrics
        self.sent = 0
        self.recorded = 0
        self._typing: asyncio.Task | None = None

    # ------------------------------------------------------------------ typing
    def start_typing(self, psid: str) -> None:
        """Send ``typing_on`` in the background (best effort)."""
        self._typing = asyncio.create_task(self._call(psid, "typing_on", lambda: self.client.send_typing(psid, True)))

    async def _settle_typing(self) -> None:
        task, self._typing = self._typing, None
        if task is None:
            return
        try:
            await asyncio.wait_for(task, TYPING_WAIT_S)
        except (asyncio.TimeoutError, Exception):
            pass

    async def finish(self, psid: str) -> None:
        """After the turn: hide the typing indicator when the bot said nothing."""
        had_typing = self._typing is not None
        await self._settle_typing()
        if had_typing and self.sent == 0 and self.recorded == 0:
            await self._call(psid, "typing_off", lambda: self.client.send_typing(psid, False))

    # ------------------------------------------------------------------ sends
    async def _call(self, psid: str, operation: str, send: Callable[[], Awaitable[Any]]) -> bool:
        try:
            await send()
            return True
        except OutsideMessagingWindow as error:
            self._refused("outside_window", psid, operation, error)
        except ThreadControlledByOtherApp as error:
            self._refused("thread_owned_by_other_app", psid, operation, error)
        except PlatformError as error:
            self._refused("send_failed", psid, operation, error)
        except ValueError:
            self.metrics.incr(FACEBOOK, "invalid_message")
            logger.warning("messenger.invalid_message recipient=%s op=%s", psid, operation)
        return False

    def _refused(self, counter: str, psid: str, operation: str, error: PlatformError) -> None:
        self.metrics.incr(FACEBOOK, counter)
        logger.warning("messenger.%s recipient=%s op=%s status=%s code=%s subcode=%s delivered=%s",
                       counter, psid, operation, error.status, error.code, error.subcode,
                       len(error.delivered))

    async def _send(self, psid: str, operation: str, send: Callable[[], Awaitable[Any]]) -> None:
        await self._settle_typing()
        if await self._call(psid, operation, send):
            self.sent += 1

    def _record(self, psid: str, op: str, body: dict[str, Any]) -> bool:
        """Inside a consumer turn: record the reply for the outbox instead of sending."""
        replies = current(FACEBOOK)
        if replies is None:
            return False
        replies.record(op, psid, body, messenger_delivery(self.client))
        self.recorded += 1
        return True

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        if self._record(recipient_id, "send_text", {"text": text}):
            return
        await self._send(recipient_id, "send_text", lambda: self.client.send_text(recipient_id, text))

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        if any(button.get("url") for button in buttons):
            if self._record(recipient_id, "send_buttons", {"text": text, "buttons": list(buttons)}):
                return
            await self._send(recipient_id, "send_buttons",
                             lambda: self.client.send_buttons(recipient_id, text, buttons))
            return
        replies = [{"title": b.get("title"), "payload": b.get("payload")} for b in buttons]
        if self._record(recipient_id, "send_text", {"text": text, "quick_replies": replies}):
            return
        await self._send(recipient_id, "send_text",
                         lambda: self.client.send_text(recipient_id, text, quick_replies=replies or None))

    async def send_quick_replies(self, recipient_id: Text, text: Text,
                                 quick_replies: List[Dict[Text, Any]], **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        # Custom payloads are for other channels (the agent console); never sent as text.
        logger.info("messenger.custom_skipped recipient=%s keys=%s", recipient_id,
                    ",".join(sorted(map(str, json_message))[:5]))
