"""In-memory state of the sandbox: customers, transcripts, inbound deliveries, recorded
outbound requests, injected faults and latency, and live subscribers (the web page).

No I/O here; the aiohttp handlers call these methods. Times are ``time.monotonic()``
seconds, exported as milliseconds since the sandbox started, so latencies computed from
them (webhook ack, end-to-end) never mix clocks.
"""
from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from sandbox.payloads import Customer, customer

__all__ = ["SandboxState", "Inbound", "Outbound", "Fault", "PLATFORM_OF"]

PLATFORM_OF = {"messenger": "facebook", "x_dm": "twitter", "x_mention": "twitter"}
MAX_RECORDS = 100_000


@dataclass
class Fault:
    """An injected answer for the next outbound call of a platform.

    ``status`` 429 or 5xx: the call is refused with it (``Retry-After: retry_after``; on X
    ``x-rate-limit-reset`` is ``reset_in`` seconds away, else ``retry_after``). ``status``
    200: the call is accepted and processed as usual, but its answer is held ``delay_s``
    seconds (a platform that accepted the send and answers late).
    """

    status: int
    retry_after: float | None = None
    reset_in: float | None = None
    delay_s: float = 0.0


@dataclass
class Inbound:
    """One customer message delivered (or being delivered) as a webhook."""

    seq: int
    event_id: str
    channel: str
    customer: str
    text: str
    posted_at: float
    attempts: list[dict[str, Any]] = field(default_factory=list)
    acked_at: float | None = None
    status: str = "pending"  # pending | delivered | failed
    replies: list[float] = field(default_factory=list)


@dataclass
class Outbound:
    """One outbound platform call as the sandbox received it."""

    seq: int
    at: float
    platform: str
    operation: str  # send_message | sender_action | send_dm | post_reply
    status: int
    problem: str | None = None
    fault: str | None = None
    customer: str | None = None
    channel: str | None = None
    text: str | None = None
    options: list[dict[str, str]] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


class SandboxState:
    """Everything the sandbox remembers (bounded) and the live subscriber queues."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self._seq = itertools.count(1)
        self.customers: dict[str, Customer] = {}
        self.by_psid: dict[str, str] = {}
        self.by_x_user: dict[str, str] = {}
        self.tweets: dict[str, str] = {}  # public post id -> customer name
        self.inbound: deque[Inbound] = deque(maxlen=MAX_RECORDS)
        self.outbound: deque[Outbound] = deque(maxlen=MAX_RECORDS)
        self.last_inbound: dict[str, Inbound] = {}  # customer name -> latest message
        self.faults: dict[str, deque[Fault]] = {"facebook": deque(), "twitter": deque()}
        self.windows: dict[str, tuple[float, Fault]] = {}  # platform -> (until, fault for every call)
        self.latency_ms: dict[str, float] = {"facebook": 0.0, "twitter": 0.0}
        self.subscribers: set[asyncio.Queue] = set()

    # ------------------------------------------------------------------ ids and time
    def next_seq(self) -> int:
        return next(self._seq)

    def ms(self, moment: float | None) -> float | None:
        """``moment`` as milliseconds since the sandbox started."""
        return None if moment is None else round((moment - self.started) * 1000, 3)

    def customer(self, name: str) -> Customer:
        """The customer called ``name``, registered so replies can be routed back."""
        person = customer(name)
        if person.name not in self.customers:
            self.customers[person.name] = person
            self.by_psid[person.psid] = person.name
            self.by_x_user[person.x_user_id] = person.name
        return person

    def remember_post(self, post_id: str, name: str) -> None:
        """A customer's public post, so the brand's reply to it reaches their timeline."""
        self.tweets[post_id] = name
        while len(self.tweets) > MAX_RECORDS:
            self.tweets.pop(next(iter(self.tweets)))

    # ------------------------------------------------------------------ faults
    def inject(self, platform: str, status: int, count: int = 1, retry_after: float | None = None, *,
               reset_in: float | None = None, delay_s: float = 0.0, for_s: float | None = None) -> None:
        """Answer the next ``count`` outbound calls of ``platform`` with ``status`` (see
        ``Fault``); with ``for_s``, every call of the next ``for_s`` seconds instead."""
        fault = Fault(status, retry_after, reset_in, delay_s)
        if for_s is not None:
            self.windows[platform] = (time.monotonic() + for_s, fault)
            return
        for _ in range(count):
            self.faults[platform].append(Fault(status, retry_after, reset_in, delay_s))

    def take_fault(self, platform: str, now: float | None = None) -> Fault | None:
        """The fault for this call: a queued one first, else the open window's (if any)."""
        queue = self.faults[platform]
        if queue:
            return queue.popleft()
        window = self.windows.get(platform)
        if window is None:
            return None
        if (time.monotonic() if now is None else now) < window[0]:
            return window[1]
        del self.windows[platform]
        return None

    # ------------------------------------------------------------------ records
    def add_inbound(self, item: Inbound) -> None:
        self.inbound.append(item)
        self.last_inbound[item.customer] = item
        self.publish({"type": "inbound", **self.inbound_json(item)})

    def add_outbound(self, item: Outbound) -> None:
        self.outbound.append(item)
        if item.customer and item.text is not None and 200 <= item.status < 300:
            latest = self.last_inbound.get(item.customer)
            if latest is not None:
                latest.replies.append(item.at)
        self.publish({"type": "outbound", **self.outbound_json(item)})

    def delivery_update(self, item: Inbound) -> None:
        self.publish({"type": "delivery", **self.inbound_json(item)})

    def inbound_json(self, item: Inbound) -> dict[str, Any]:
        data = asdict(item)
        data["posted_at"] = self.ms(item.posted_at)
        data["acked_at"] = self.ms(item.acked_at)
        data["replies"] = [self.ms(at) for at in item.replies]
        return data

    def outbound_json(self, item: Outbound) -> dict[str, Any]:
        data = asdict(item)
        data["at"] = self.ms(item.at)
        return data

    def transcript(self, name: str) -> list[dict[str, Any]]:
        """Messages of one customer, in and out, in time order."""
        lines = [{"direction": "in", "at": self.ms(i.posted_at), "channel": i.channel, "text": i.text,
                  "status": i.status, "event_id": i.event_id} for i in self.inbound if i.customer == name]
        lines += [{"direction": "out", "at": self.ms(o.at), "channel": o.channel, "text": o.text,
                   "options": o.options} for o in self.outbound
                  if o.customer == name and o.text is not None and 200 <= o.status < 300]
        return sorted(lines, key=lambda line: line["at"])

    def reset(self) -> None:
        """Forget records and faults (customers and their ids stay)."""
        self.inbound.clear()
        self.outbound.clear()
        self.last_inbound.clear()
        for queue in self.faults.values():
            queue.clear()
        self.windows.clear()

    # ------------------------------------------------------------------ live updates
    def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(maxsize=1000)
        self.subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self.subscribers.discard(queue)

    def publish(self, message: dict[str, Any]) -> None:
        for queue in list(self.subscribers):
            if queue.full():  # a stalled page: drop it rather than grow without bound
                self.subscribers.discard(queue)
                continue
            queue.put_nowait(message)
