"""Rasa output channel for X: DMs, and public replies to mentions that never leak data.

DM mode (``mention is None``): each bot message is a DM (``XClient.send_dm``); Rasa
buttons / quick replies become a numbered list (link buttons become "title: url" lines)
and are stored in ``OptionsStore`` so "1" / "one" / the title maps back to the payload.
``finish`` clears stored options when the turn offered none, so a stale list is never
matched.

Mention mode: bot messages are collected during the turn and ``finish`` posts ONE public
reply (``reply_to_tweet``, fitted to 280, never a thread) when ``public_safe`` finds no
personal data (including the conversation's personal slot values). Otherwise the full
answer goes by DM to the author and the public reply only says so ("We've sent you a
DM ...", or "Please send us a DM ..." when the DM could not be sent).

Inside a stream-consumer turn (``connectors.outbox.replies.current``) DMs and public
replies are recorded for the outbox instead of sent (``x_delivery`` sends them after the
turn's ack, once each); the withheld-reply notice is recorded with the ids of its DMs
and says "We've sent you a DM" only when all of them were delivered. Outside a turn,
platform errors are logged with ids and counted, never raised into the turn.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Sequence, Text

from rasa.core.channels.channel import OutputChannel

from connectors.events import TWITTER
from connectors.http import METRICS, SINGLE_ATTEMPT, Metrics, PlatformError
from connectors.outbox.replies import Delivery, Reply, current
from connectors.twitter.client import XClient
from connectors.twitter.options import OptionsStore
from connectors.twitter.privacy import public_safe

__all__ = ["XOutput", "MentionTarget", "DM_SENT_NOTICE", "DM_INVITE_NOTICE", "x_delivery"]

logger = logging.getLogger(__name__)

DM_SENT_NOTICE = "We've sent you a DM so we can help with the details privately."
DM_INVITE_NOTICE = "Please send us a DM so we can help with the details privately."
PersonalValues = Callable[[], Awaitable[Sequence[str]]]


def x_delivery(client: XClient) -> Delivery:
    """The outbox delivery of recorded X replies on ``client`` (one attempt each; the
    outbox schedules retries and rate-limit waits)."""

    async def deliver(reply: Reply, parts_done: int) -> None:
        single = client.with_retry(SINGLE_ATTEMPT)
        body = reply.body
        if reply.op == "reply_to_tweet":
            await single.reply_to_tweet(body["tweet_id"], body.get("text", ""))
        else:
            await single.send_dm(reply.recipient, body.get("text", ""), options=body.get("options") or None,
                                 skip_parts=parts_done)

    return deliver


@dataclass(frozen=True)
class MentionTarget:
    """The public post to answer and its author (who gets the DM fallback)."""

    tweet_id: str
    author_id: str


def _split_buttons(text: str, buttons: Sequence[Dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    links = [b for b in buttons if b.get("url")]
    options = [{"title": b.get("title"), "payload": b.get("payload")} for b in buttons if not b.get("url")]
    lines = [f"{' '.join(str(b.get('title') or '').split())}: {b['url']}" for b in links]
    return ("\n".join([text.rstrip(), *lines]) if lines else text), options


class XOutput(OutputChannel):
    """Sends one turn's bot messages on X (see the module docstring)."""

    @classmethod
    def name(cls) -> Text:
        return TWITTER

    def __init__(
        self,
        client: XClient,
        *,
        options: OptionsStore | None = None,
        mention: MentionTarget | None = None,
        personal_values: PersonalValues | None = None,
        metrics: Metrics = METRICS,
    ) -> None:
        self.client = client
        self.options = options
        self.mention = mention
        self.personal_values = personal_values
        self.metrics = metrics
        self.sent = 0
        self._offered: dict[str, bool] = {}
        self._buffer: list[tuple[str, list[dict[str, Any]]]] = []
        self.recorded_ids: list[str] = []

    # ------------------------------------------------------------------ Rasa API
    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._emit(recipient_id, text, [])

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        body, options = _split_buttons(text or "", buttons)
        await self._emit(recipient_id, body, options)

    async def send_quick_replies(self, recipient_id: Text, text: Text,
                                 quick_replies: List[Dict[Text, Any]], **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        logger.info("x.custom_skipped recipient=%s", recipient_id)

    # ------------------------------------------------------------------ sending
    async def _emit(self, recipient_id: str, text: str, options: list[dict[str, Any]]) -> None:
        if self.mention is not None:
            self._buffer.append((text, options))
            return
        await self._dm(recipient_id, text, options)

    def _record(self, op: str, recipient: str, body: dict[str, Any]) -> str | None:
        """Inside a consumer turn: record the reply for the outbox; returns its id."""
        replies = current(TWITTER)
        if replies is None:
            return None
        self.recorded_ids.append(replies.record(op, recipient, body, x_delivery(self.client)).reply_id)
        return self.recorded_ids[-1]

    async def _dm(self, user_id: str, text: str, options: list[dict[str, Any]]) -> bool:
        if self._record("send_dm", user_id, {"text": text, "options": options}) is not None:
            return await self._offer(user_id, options)
        try:
            await self.client.send_dm(user_id, text, options=options or None)
        except PlatformError as error:
            self._failed("send_dm", user_id, error)
            return False
        except ValueError:
            self.metrics.incr(TWITTER, "invalid_message")
            logger.warning("x.invalid_message op=send_dm recipient=%s", user_id)
            return False
        self.sent += 1
        return await self._offer(user_id, options)

    async def _offer(self, user_id: str, options: list[dict[str, Any]]) -> bool:
        if options and self.options is not None:
            await self.options.save(user_id, options)
            self._offered[user_id] = True
        else:
            self._offered.setdefault(user_id, False)
        return True

    async def reply_public(self, text: str) -> bool:
        """Post ``text`` as the public reply to the mention (fitted to 280)."""
        assert self.mention is not None
        if self._record("reply_to_tweet", self.mention.author_id,
                        {"tweet_id": self.mention.tweet_id, "text": text}) is not None:
            return True
        try:
            await self.client.reply_to_tweet(self.mention.tweet_id, text)
        except PlatformError as error:
            self._failed("reply_to_tweet", self.mention.tweet_id, error)
            return False
        except ValueError:
            self.metrics.incr(TWITTER, "invalid_message")
            logger.warning("x.invalid_message op=reply_to_tweet in_reply_to=%s", self.mention.tweet_id)
            return False
        self.sent += 1
        return True

    def _failed(self, operation: str, target: str, error: PlatformError) -> None:
        self.metrics.incr(TWITTER, "send_failed")
        logger.warning("x.send_failed op=%s target=%s status=%s code=%s delivered=%s", operation, target,
                       error.status, error.code, len(error.delivered))

    async def finish(self) -> None:
        """End of the turn: post the mention reply, or clear options not offered again."""
        if self.mention is None:
            if self.options is not None:
                for user_id, offered in self._offered.items():
                    if not offered:
                        await self.options.clear(user_id)
            return
        parts, self._buffer = self._buffer, []
        public = "\n\n".join(text.strip() for text, _ in parts if text and text.strip())
        if not public:
            return
        personal: Sequence[str] = ()
        if self.personal_values is not None:
            try:
                personal = await self.personal_values()
            except Exception as error:  # the patterns still apply without slot values
                logger.warning("x.personal_values_failed error=%s", type(error).__name__)
        ok, _ = public_safe(public, personal)
        if ok:
            await self.reply_public(public)
            return
        self.metrics.incr(TWITTER, "public_reply_withheld")
        logger.info("x.public_reply_withheld in_reply_to=%s author=%s", self.mention.tweet_id,
                    self.mention.author_id)
        delivered, first = True, len(self.recorded_ids)
        for text, options in parts:
            if (text and text.strip()) or options:
                delivered = await self._dm(self.mention.author_id, text, options) and delivered
        dms = self.recorded_ids[first:]
        if self._record("reply_to_tweet", self.mention.author_id, {
                "tweet_id": self.mention.tweet_id, "text": DM_SENT_NOTICE, "after": dms,
                "text_otherwise": DM_INVITE_NOTICE}) is not None:
            return
        await self.reply_public(DM_SENT_NOTICE if delivered else DM_INVITE_NOTICE)
