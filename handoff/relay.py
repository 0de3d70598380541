"""Agent replies and resolves: the customer's channel, the Rasa tracker and the ticket.

`Relay.send_agent_reply` delivers through the customer's channel (Messenger with the
HUMAN_AGENT tag between 24 h and 7 days after the customer's last message; past that
`WindowClosed`), records the reply in the Rasa tracker as an agent turn and on the
ticket's live transcript. `Relay.resolve` resumes the Rasa conversation (the bot answers
the next message), closes the ticket and optionally asks the customer for a 1-5 score,
which the event broker stores on the ticket when the answer comes.
"""
from __future__ import annotations

import logging
import time
from typing import Callable, Dict, Mapping, Optional

from connectors.channels import ChannelKind
from handoff.config import TeamConfig, load_team_config
from handoff.connect import RelaySettings, open_store
from handoff.csat import CSAT_QUESTION
from handoff.errors import DeliveryFailed, InvalidTransition, WindowClosed
from handoff.rasa_api import RasaClient, agent_turn_event, resume_events
from handoff.senders import Sender, build_senders
from handoff.store import TicketStore
from handoff.tickets import AGENT, CUSTOMER, SYSTEM, Ticket, TranscriptTurn
from handoff.transitions import must_own
from handoff.window import MessagingWindow, messaging_window

logger = logging.getLogger(__name__)

OTHER_CHANNELS = {
    ChannelKind.MESSENGER: (ChannelKind.TWITTER_DM,),
    ChannelKind.TWITTER_DM: (ChannelKind.MESSENGER,),
    ChannelKind.TWITTER_MENTION: (ChannelKind.TWITTER_DM,),
}
NOT_CLAIMED = "claim the ticket before replying or resolving"


def last_customer_at(ticket: Ticket, transcript_times: Optional[list] = None) -> Optional[float]:
    """When the customer last wrote: the latest of the dossier and the live transcript."""
    times = [t for t in (transcript_times or []) if t]
    dossier_time = (ticket.dossier.get("thread") or {}).get("last_customer_at")
    if dossier_time:
        times.append(float(dossier_time))
    return max(times) if times else None


def window_state(ticket: Ticket, now: float, config: Optional[TeamConfig] = None,
                 customer_at: Optional[float] = None) -> MessagingWindow:
    """Can an agent write to this ticket's customer now (with which tag, until when)?"""
    config = config or load_team_config()
    at = customer_at if customer_at is not None else last_customer_at(ticket)
    return messaging_window(ticket.channel, at, now, config, alternatives=OTHER_CHANNELS.get(ticket.channel, ()))


def rasa_token(settings: RelaySettings) -> str:
    """RASA_TOKEN, else the token the supervisor keeps in the data dir ("" when none)."""
    if settings.rasa_token:
        return settings.rasa_token
    path = settings.token_file
    return path.read_text().strip() if path is not None and path.exists() else ""


class Relay:
    """Replies and resolves for the console. Build with `from_settings`, then `await start()`."""

    def __init__(self, store: TicketStore, rasa: RasaClient, senders: Mapping[str, Sender], *,
                 config: Optional[TeamConfig] = None, clock: Callable[[], float] = time.time,
                 owns_store: bool = False) -> None:
        self.store = store
        self.rasa = rasa
        self.senders: Dict[str, Sender] = dict(senders)
        self.config = config or load_team_config()
        self.clock = clock
        self._owns_store = owns_store

    @classmethod
    def from_settings(cls, settings: RelaySettings, store: Optional[TicketStore] = None) -> "Relay":
        """Rasa's API client, a sender per configured platform and, without `store`, a
        store of its own on `settings.redis` (closed with the relay)."""
        owns = store is None
        if store is None:
            store = open_store(settings.redis)
        senders = build_senders(settings.messenger, settings.x)
        return cls(store, RasaClient(settings.rasa_url, rasa_token(settings)), senders, owns_store=owns)

    async def start(self) -> None:
        """Open the HTTP sessions."""
        await self.rasa.start()
        for sender in self.senders.values():
            await sender.start()

    async def close(self) -> None:
        """Close the HTTP sessions (and the store when this relay opened it)."""
        for sender in self.senders.values():
            await sender.close()
        await self.rasa.close()
        if self._owns_store:
            await self.store.close()

    async def _owned(self, ticket_id: str, agent: str, force: bool = False) -> Ticket:
        ticket = await self.store.get(ticket_id)
        must_own(ticket, agent, force, refusal=NOT_CLAIMED)
        return ticket

    async def window(self, ticket: Ticket) -> MessagingWindow:
        """The messaging window now, using the live transcript's latest customer turn."""
        times = [turn.timestamp for _, turn in await self.store.transcript(ticket.id) if turn.speaker == CUSTOMER]
        return window_state(ticket, self.clock(), self.config, last_customer_at(ticket, times))

    async def _deliver(self, ticket: Ticket, text: str, window: MessagingWindow) -> None:
        if not window.open:
            raise WindowClosed(ticket.channel, window.reason or "the messaging window is closed",
                               window.alternatives)
        sender = self.senders.get(ticket.channel)
        if sender is None:
            raise DeliveryFailed(f"no sender is configured for {ticket.channel}")
        await sender.send(ticket, text, window)

    async def send_agent_reply(self, ticket_id: str, text: str, agent: str) -> TranscriptTurn:
        """Send `text` as `agent` through the customer's channel and record it everywhere.

        Raises NotOwner / InvalidTransition (not the owner, resolved), WindowClosed
        (Messenger over 7 days; the error lists other channels), DeliveryFailed.
        """
        text = (text or "").strip()
        if not text:
            raise InvalidTransition("empty reply")
        ticket = await self._owned(ticket_id, agent)
        window = await self.window(ticket)
        await self._deliver(ticket, text, window)
        now = self.clock()
        error = None
        try:
            await self.rasa.append_events(ticket.sender_id, [agent_turn_event(text, agent, ticket.id, now)])
        except DeliveryFailed:
            error = "not recorded in the Rasa tracker"
        turn = TranscriptTurn(AGENT, text, now, channel=ticket.channel, agent=agent, delivered=True, error=error)
        await self.store.append_turn(ticket.id, turn)
        logger.info("handoff.agent_reply ticket=%s channel=%s tag=%s", ticket.id, ticket.channel, window.tag)
        return turn

    async def resolve(self, ticket_id: str, agent: str, resolution: str = "", *,
                      ask_csat: Optional[bool] = None, force: bool = False) -> Ticket:
        """Resume the bot, close the ticket, optionally ask for a 1-5 satisfaction score.

        The conversation is resumed first: if Rasa cannot be reached, DeliveryFailed is
        raised and the ticket stays open (the customer is never left with a silent bot).
        """
        ticket = await self._owned(ticket_id, agent, force)
        ask = self.config.ask_csat if ask_csat is None else bool(ask_csat)
        now = self.clock()
        await self.rasa.append_events(ticket.sender_id, resume_events(now))
        resolved = await self.store.resolve(ticket.id, agent, resolution, force=force, ask_csat=ask)
        if ask:
            await self._ask_csat(resolved)
        return resolved

    async def _ask_csat(self, ticket: Ticket) -> None:
        try:
            window = await self.window(ticket)
            await self._deliver(ticket, CSAT_QUESTION, window)
            event = {"event": "bot", "text": CSAT_QUESTION, "timestamp": self.clock(), "data": {},
                     "metadata": {"handoff_csat": ticket.id}}
            await self.rasa.append_events(ticket.sender_id, [event])
            await self.store.append_turn(ticket.id, TranscriptTurn(SYSTEM, "satisfaction question sent",
                                                                   self.clock(), channel=ticket.channel))
        except (WindowClosed, DeliveryFailed) as exc:
            logger.info("handoff.csat_not_asked ticket=%s error=%s", ticket.id, type(exc).__name__)
