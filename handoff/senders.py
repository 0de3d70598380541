"""Deliver an agent's text through the customer's channel (thin I/O over the connectors'
platform clients). One sender per channel kind; `build_senders` builds those whose
credentials are set (the sandbox sets them when it runs).
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from connectors.channels import ChannelKind
from connectors.facebook.client import MessengerClient
from connectors.facebook.settings import MessengerSettings
from connectors.http import OutsideMessagingWindow, PlatformError
from connectors.twitter.client import XClient
from connectors.twitter.settings import XSettings
from handoff.errors import DeliveryFailed, WindowClosed
from handoff.tickets import Ticket
from handoff.window import MessagingWindow


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

    channel = ChannelKind.MESSENGER

    async def send(self, ticket: Ticket, text: str, window: MessagingWindow) -> str:
        try:
            ids = await self.client.send_text(recipient_of(ticket), text, tag=window.tag)
        except OutsideMessagingWindow as exc:
            raise WindowClosed(ChannelKind.MESSENGER, "Messenger no longer accepts messages to this customer.") from exc
        except PlatformError as exc:
            raise DeliveryFailed(f"messenger refused the message ({type(exc).__name__})") from exc
        return ids[-1] if ids else ""


class XSender(ClientSender):
    """X: a DM for ``twitter_dm`` tickets, a public reply to the latest post for mentions."""

    def __init__(self, client: Any, channel: str) -> None:
        super().__init__(client)
        self.channel = channel

    async def send(self, ticket: Ticket, text: str, window: MessagingWindow) -> str:
        try:
            if self.channel == ChannelKind.TWITTER_MENTION:
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

    channel = ChannelKind.REST

    async def send(self, ticket: Ticket, text: str, window: MessagingWindow) -> str:
        return ""


def build_senders(messenger: Optional[MessengerSettings], x: Optional[XSettings]) -> Dict[str, Sender]:
    """Senders for every channel whose settings are given (None: off), plus REST."""
    senders: Dict[str, Sender] = {ChannelKind.REST: TrackerOnlySender()}
    if messenger is not None:
        senders[ChannelKind.MESSENGER] = MessengerSender(MessengerClient(messenger.page_access_token,
                                                                         messenger.graph_url))
    if x is not None:
        client = XClient(x.consumer_key, x.consumer_secret, x.access_token, x.access_token_secret, x.api_url)
        senders[ChannelKind.TWITTER_DM] = XSender(client, ChannelKind.TWITTER_DM)
        senders[ChannelKind.TWITTER_MENTION] = XSender(client, ChannelKind.TWITTER_MENTION)
    return senders
