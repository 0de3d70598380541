"""Agent replies and resolves: the customer's channel, the Rasa tracker and the ticket.

`Relay.send_agent_reply` delivers through the customer's channel (Messenger with the
HUMAN_AGENT tag between 24 h and 7 days after the customer's last message; past that
`WindowClosed`), records the reply in the Rasa tracker as an agent turn and on the
ticket's live transcript. A public reply (an X mention) passes the same personal-data
check as the bot's public replies (`connectors.twitter.privacy`): with a finding nothing
is sent and `PersonalDataInPublic` lets the agent send the same text by DM (``via``) or
edit it. `Relay.resolve` resumes the Rasa conversation (the bot answers the next
message), closes the ticket and optionally asks the customer for a 1-5 score, which the
event broker stores on the ticket when the answer comes. The question is automated, so
it goes out only within a normal window (never with HUMAN_AGENT): otherwise it is
skipped and the skip is noted on the ticket's history and transcript.
"""
from __future__ import annotations

import logging
import time
from typing import Callable, Dict, Mapping, Optional, Tuple

from connectors.channels import ChannelKind
from connectors.twitter.privacy import PERSONAL_SLOTS, public_safe
from handoff.config import TeamConfig, load_team_config
from handoff.connect import RelaySettings, open_store
from handoff.csat import CSAT_QUESTION
from handoff.errors import DeliveryFailed, InvalidTransition, PersonalDataInPublic, WindowClosed
from handoff.notes import add_note
from handoff.rasa_api import RasaClient, agent_turn_event, resume_events
from handoff.reconcile import clear_paused
from handoff.senders import Sender, build_senders
from handoff.store import TicketStore
from handoff.tickets import AGENT, CUSTOMER, SYSTEM, Ticket, TranscriptTurn
from handoff.transitions import must_own
from handoff.window import MessagingWindow, allows_automated, messaging_window

logger = logging.getLogger(__name__)

OTHER_CHANNELS = {
    ChannelKind.MESSENGER: (ChannelKind.TWITTER_DM,),
    ChannelKind.TWITTER_DM: (ChannelKind.MESSENGER,),
    ChannelKind.TWITTER_MENTION: (ChannelKind.TWITTER_DM,),
}
# Where an agent may send a ticket's reply instead (the same person, reachable there): a
# mention's author by DM. (OTHER_CHANNELS only suggests other ways to reach the customer.)
VIA_CHANNELS = {ChannelKind.TWITTER_MENTION: (ChannelKind.TWITTER_DM,)}
NOT_CLAIMED = "claim the ticket before replying or resolving"
CSAT_SKIPPED = "satisfaction question skipped: outside the 24-hour window (automated messages are not allowed)"


def personal_values(ticket: Ticket) -> Tuple[str, ...]:
    """The customer's known personal values from the dossier's slots (pure)."""
    slots = ticket.dossier.get("slots") or {}
    return tuple(str(slots[name]) for name in PERSONAL_SLOTS if slots.get(name))


def check_public_reply(ticket: Ticket, channel: str, text: str) -> None:
    """Raise PersonalDataInPublic when `text` would go out publicly with personal data (pure)."""
    if channel != ChannelKind.TWITTER_MENTION:
        return
    ok, redacted = public_safe(text, personal_values(ticket))
    if not ok:
        raise PersonalDataInPublic(channel, VIA_CHANNELS.get(channel, ()), redacted)


def reply_channel(ticket: Ticket, via: Optional[str]) -> str:
    """The channel an agent's reply takes: the ticket's, or `via` when it is in the ticket
    channel's VIA_CHANNELS (a mention's author by DM); else InvalidTransition (pure)."""
    if not via or via == ticket.channel:
        return ticket.channel
    if via not in VIA_CHANNELS.get(ticket.channel, ()):
        raise InvalidTransition(f"a {ticket.channel} ticket cannot be answered via {via}")
    return via


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

    async def _deliver(self, ticket: Ticket, text: str, window: MessagingWindow,
                       channel: Optional[str] = None) -> None:
        channel = channel or ticket.channel
        if not window.open:
            raise WindowClosed(channel, window.reason or "the messaging window is closed",
                               window.alternatives)
        sender = self.senders.get(channel)
        if sender is None:
            raise DeliveryFailed(f"no sender is configured for {channel}")
        await sender.send(ticket, text, window)

    async def send_agent_reply(self, ticket_id: str, text: str, agent: str, *,
                               via: Optional[str] = None) -> TranscriptTurn:
        """Send `text` as `agent` through the customer's channel (or `via`, one of its
        alternatives: ``twitter_dm`` for a mention) and record it everywhere.

        Raises NotOwner / InvalidTransition (not the owner, resolved, a `via` that is no
        alternative), PersonalDataInPublic (a public reply with personal data; nothing
        sent), WindowClosed (Messenger over 7 days; the error lists other channels),
        DeliveryFailed.
        """
        text = (text or "").strip()
        if not text:
            raise InvalidTransition("empty reply")
        ticket = await self._owned(ticket_id, agent)
        channel = reply_channel(ticket, via)
        check_public_reply(ticket, channel, text)
        if channel == ticket.channel:
            window = await self.window(ticket)
        else:
            window = messaging_window(channel, None, self.clock(), self.config)
        await self._deliver(ticket, text, window, channel)
        now = self.clock()
        error = None
        try:
            await self.rasa.append_events(ticket.sender_id, [agent_turn_event(text, agent, ticket.id, now)])
        except DeliveryFailed:
            error = "not recorded in the Rasa tracker"
        turn = TranscriptTurn(AGENT, text, now, channel=channel, agent=agent, delivered=True, error=error)
        await self.store.append_turn(ticket.id, turn)
        logger.info("handoff.agent_reply ticket=%s channel=%s tag=%s", ticket.id, channel, window.tag)
        return turn

    async def resolve(self, ticket_id: str, agent: str, resolution: str = "", *,
                      ask_csat: Optional[bool] = None, force: bool = False) -> Ticket:
        """Resume the bot, close the ticket, optionally ask for a 1-5 satisfaction score.

        The conversation is resumed first: if Rasa cannot be reached, DeliveryFailed is
        raised and the ticket stays open (the customer is never left with a silent bot).
        The score is asked only within a window that allows an automated message (no
        HUMAN_AGENT tag); otherwise it is skipped and the skip noted on the ticket.
        """
        ticket = await self._owned(ticket_id, agent, force)
        ask = self.config.ask_csat if ask_csat is None else bool(ask_csat)
        window = await self.window(ticket) if ask else None
        can_ask = window is not None and allows_automated(window)
        now = self.clock()
        await self.rasa.append_events(ticket.sender_id, resume_events(now))
        resolved = await self.store.resolve(ticket.id, agent, resolution, force=force, ask_csat=can_ask)
        await self._forget_pause(resolved.sender_id, now)
        if can_ask and window is not None:
            await self._ask_csat(resolved, window)
        elif ask and window is not None:
            resolved = await self._skip_csat(resolved, window)
        return resolved

    async def _forget_pause(self, sender_id: str, resumed_at: float) -> None:
        try:
            await clear_paused(self.store, sender_id, resumed_at)
        except Exception as exc:  # noqa: BLE001 - the reconciler forgets it on its next pass
            logger.warning("handoff.pause_index_failed error=%s", type(exc).__name__)

    async def _skip_csat(self, ticket: Ticket, window: MessagingWindow) -> Ticket:
        logger.info("handoff.csat_skipped ticket=%s window=%s", ticket.id, window.state)
        try:
            await self.store.append_turn(ticket.id, TranscriptTurn(SYSTEM, CSAT_SKIPPED, self.clock(),
                                                                   channel=ticket.channel))
            return await add_note(self.store, ticket.id, "csat_skipped", reason="outside_window",
                                  window=window.state)
        except Exception as exc:  # noqa: BLE001 - the ticket is resolved either way
            logger.warning("handoff.csat_skip_not_noted ticket=%s error=%s", ticket.id, type(exc).__name__)
            return ticket

    async def _ask_csat(self, ticket: Ticket, window: MessagingWindow) -> None:
        try:
            await self._deliver(ticket, CSAT_QUESTION, window)
            event = {"event": "bot", "text": CSAT_QUESTION, "timestamp": self.clock(), "data": {},
                     "metadata": {"handoff_csat": ticket.id}}
            await self.rasa.append_events(ticket.sender_id, [event])
            await self.store.append_turn(ticket.id, TranscriptTurn(SYSTEM, "satisfaction question sent",
                                                                   self.clock(), channel=ticket.channel))
        except (WindowClosed, DeliveryFailed) as exc:
            logger.info("handoff.csat_not_asked ticket=%s error=%s", ticket.id, type(exc).__name__)
