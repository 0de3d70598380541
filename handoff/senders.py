"""Deliver an agent's text through the customer's channel (thin I/O over the connectors'
platform clients). One sender per channel kind; `senders_from_env` builds those whose
credentials are set (the sandbox sets them when it runs).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Mapping, Optional

from handoff.errors import DeliveryFailed, WindowClosed
from handoff.tickets import Ticket
from handoff.window import MessagingWindow

logger = logging.getLogger(__name__)


def recipient_of(ticket: Ticket) -> str:
    """The platform user id to write to (profile user id, else the Rasa sender id)."""
    profile = ticket.dossier.get("profile") or {}
    return str(profile.get("user_id") or ticket.sender_id)


class Sender:
    """Base: `send` returns the platform message id (or "" when the platform gives none)."""

    channel = ""

    async def start(self) -> None:
        """Open connections (idempotent)."""

    async def close(self) -> None:
        """Close connections."""

    async def send(self, ticket: Ticket, text: str, window: MessagingWindow) -> str:
        """Deliver `text`; raises WindowClosed or DeliveryFailed."""
        raise NotImplementedError


class ClientSender(Sender):
    """A sender over one connectors platform client, which it starts and closes."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def start(self) -> None:
        await self.client.start()

    async def close(self) -> None:
        await self.client.close()


class MessengerSender(ClientSender):
    """Messenger Send API; the HUMAN_AGENT tag when the window says so."""

    channel = "messenger"

    async def send(self, ticket: Ticket, text: str, window: MessagingWindow) -> str:
        from connectors.http import OutsideMessagingWindow, PlatformError

        try:
            ids = await self.client.send_text(recipient_of(ticket), text, tag=window.tag)
        except OutsideMessagingWindow as exc:
            raise WindowClosed("messenger", "Messenger no longer accepts messages to this customer.") from exc
        except PlatformError as exc:
            raise DeliveryFailed(f"messenger refused the message ({type(exc).__name__})") from exc
        return ids[-1] if ids else ""


class XSender(ClientSender):
    """X: a DM for ``twitter_dm`` tickets, a public reply to the latest post for mentions."""

    def __init__(self, client: Any, channel: str) -> None:
        super().__init__(client)
        self.channel = channel

    async def send(self, ticket: Ticket, text: str, window: MessagingWindow) -> str:
        from connectors.http import PlatformError

        try:
            if self.channel == "twitter_mention":
                post_id = (ticket.dossier.get("thread") or {}).get("last_post_id")
                if not post_id:
                    raise DeliveryFailed("no post to reply to")
                return await self.client.reply_to_tweet(str(post_id), text)
            return await self.client.send_dm(recipient_of(ticket), text)
        except PlatformError as exc:
            raise DeliveryFailed(f"X refused the message ({type(exc).__name__})") from exc


class TrackerOnlySender(Sender):
    """REST conversations have no push channel: the reply is kept in the Rasa tracker (and
    the ticket), where a REST client polling the tracker finds it."""

    channel = "rest"

    async def send(self, ticket: Ticket, text: str, window: MessagingWindow) -> str:
        return ""


def senders_from_env(env: Optional[Mapping[str, str]] = None) -> Dict[str, Sender]:
    """Senders for every channel whose credentials are configured, plus REST."""
    senders: Dict[str, Sender] = {"rest": TrackerOnlySender()}
    try:
        from connectors.facebook.client import MessengerClient
        from connectors.facebook.settings import MessengerSettings

        fb = MessengerSettings.from_env(env)
        if fb is not None:
            senders["messenger"] = MessengerSender(MessengerClient(fb.page_access_token, fb.graph_url))
    except ImportError:  # pragma: no cover - connectors ship with the project
        logger.warning("handoff.messenger_sender_unavailable")
    try:
        from connectors.twitter.client import XClient
        from connectors.twitter.settings import XSettings

        x = XSettings.from_env(env)
        if x is not None:
            client = XClient(x.consumer_key, x.consumer_secret, x.access_token, x.access_token_secret, x.api_url)
            senders["twitter_dm"] = XSender(client, "twitter_dm")
            senders["twitter_mention"] = XSender(client, "twitter_mention")
    except ImportError:  # pragma: no cover
        logger.warning("handoff.x_sender_unavailable")
    return senders
