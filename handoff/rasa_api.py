"""A small async client for Rasa's HTTP API (token auth): append events to a conversation.

Used by the relay to record agent turns (``BotUttered`` with ``metadata.handoff_agent``),
to resume the conversation (``ConversationResumed``) and to reset the handoff slots; by
the reconciler (handoff/reconcile.py) to read a paused conversation's tracker.
The token travels as the ``token`` query parameter and is never logged.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import aiohttp

from handoff.errors import DeliveryFailed

logger = logging.getLogger(__name__)


def agent_turn_event(text: str, agent: str, ticket_id: str, at: float) -> Dict[str, Any]:
    """The tracker event for an agent's reply (a BotUttered marked with the agent)."""
    return {"event": "bot", "text": text, "timestamp": at, "data": {},
            "metadata": {"handoff_agent": agent, "ticket_id": ticket_id}}


def resume_events(at: float) -> List[Dict[str, Any]]:
    """ConversationResumed plus the handoff slots reset, so a later handoff starts fresh."""
    return [
        {"event": "resume", "timestamp": at},
        {"event": "slot", "name": "handoff_active", "value": False, "timestamp": at},
        {"event": "slot", "name": "handoff_reasons", "value": None, "timestamp": at},
        {"event": "slot", "name": "handoff_ticket", "value": None, "timestamp": at},
    ]


class RasaClient:
    """``POST /conversations/<sender>/tracker/events`` and ``GET .../tracker`` on one Rasa server."""

    def __init__(self, url: str, token: str, *, timeout: float = 10.0,
                 session: Optional[aiohttp.ClientSession] = None) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self._session = session
        self._owns_session = session is None

    def __repr__(self) -> str:
        return f"RasaClient(url={self.url!r})"

    async def start(self) -> None:
        """Open the HTTP session (idempotent)."""
        if self._session is None or (self._owns_session and self._session.closed):
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
            self._owns_session = True

    async def close(self) -> None:
        """Close the session if this client opened it."""
        if self._owns_session and self._session is not None and not self._session.closed:
            await self._session.close()

    async def append_events(self, sender_id: str, events: List[Dict[str, Any]]) -> None:
        """Append `events` to the conversation; raises DeliveryFailed on any failure."""
        await self.start()
        assert self._session is not None
        url = f"{self.url}/conversations/{quote(sender_id, safe='')}/tracker/events"
        try:
            async with self._session.post(url, json=events, params={"token": self._token,
                                                                    "include_events": "NONE"}) as response:
                if response.status >= 300:
                    logger.warning("handoff.rasa_api_failed status=%s", response.status)
                    raise DeliveryFailed(f"Rasa refused the events (HTTP {response.status})")
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            logger.warning("handoff.rasa_api_failed error=%s", type(exc).__name__)
            raise DeliveryFailed("Rasa could not be reached") from exc

    async def tracker(self, sender_id: str) -> Dict[str, Any]:
        """The conversation's tracker JSON (``GET /conversations/<sender>/tracker``, every
        event: the dossier reads them); ``paused`` tells whether the bot is quiet. Raises
        DeliveryFailed on any failure."""
        await self.start()
        assert self._session is not None
        url = f"{self.url}/conversations/{quote(sender_id, safe='')}/tracker"
        try:
            async with self._session.get(url, params={"token": self._token, "include_events": "ALL"}) as response:
                if response.status >= 300:
                    logger.warning("handoff.rasa_api_failed status=%s", response.status)
                    raise DeliveryFailed(f"Rasa refused the tracker read (HTTP {response.status})")
                data = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            logger.warning("handoff.rasa_api_failed error=%s", type(exc).__name__)
            raise DeliveryFailed("Rasa could not be reached") from exc
        if not isinstance(data, dict):
            raise DeliveryFailed("Rasa answered a tracker that is not an object")
        return data
