"""The load generators of `make bench` (``socialcare.bench``): customers played through
the platform sandbox's API, answers heard on its server-sent events, and signed webhooks
posted straight to Rasa.

* ``closed_loop``: customers at once, each waiting for its answer before the next message;
* ``open_loop``: a fixed rate of webhooks, each from a new customer, sent by the sandbox;
* ``direct_acks``: signed webhooks posted by this process at a rate the sandbox cannot
  generate on a small machine; acks timed here, answers counted from the sandbox records;
* ``outbound_mix``: the platform calls each system made per message (typing indicators
  and read receipts included), so the configured Send API latency can be compared.
"""
from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from typing import Any, Dict, List, Mapping, Optional, Sequence

import aiohttp

from sandbox.payloads import messenger_message
from sandbox.signing import messenger_headers
from socialcare.bench.report import PhaseFigures, percentile

__all__ = ["TEXT", "Driver", "closed_loop", "open_loop", "direct_acks", "outbound_mix"]

TEXT = "status of AU451 today?"


class Driver:
    """Plays customers through the sandbox API and hears the replies over its SSE feed."""

    def __init__(self, sandbox_url: str, http: aiohttp.ClientSession) -> None:
        self.url = sandbox_url
        self.http = http
        self.replied: Dict[str, asyncio.Event] = {}
        self._listener: Optional[asyncio.Task] = None

    def event(self, customer: str) -> asyncio.Event:
        return self.replied.setdefault(customer, asyncio.Event())

    async def start(self) -> None:
        ready = asyncio.Event()
        self._listener = asyncio.create_task(self._listen(ready))
        await asyncio.wait_for(ready.wait(), 10)

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)

    async def _listen(self, ready: asyncio.Event) -> None:
        timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
        async with self.http.get(f"{self.url}/sandbox/api/events", timeout=timeout) as response:
            ready.set()
            async for line in response.content:
                if not line.startswith(b"data: "):
                    continue
                data = json.loads(line[6:])
                if data.get("type") == "outbound" and data.get("text") is not None and \
                        200 <= int(data.get("status") or 0) < 300 and data.get("customer"):
                    self.event(data["customer"]).set()

    async def send(self, customer: str, text: str, *, wait: bool = True) -> Dict[str, Any]:
        body = {"channel": "messenger", "customer": customer, "text": text, "wait": wait}
        async with self.http.post(f"{self.url}/sandbox/api/messages", json=body) as response:
            return await response.json()

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(method, f"{self.url}{path}", json=body) as response:
            return await response.json()

    async def records(self, prefix: str) -> List[Dict[str, Any]]:
        items = await self.call("GET", "/sandbox/api/inbound")
        return [i for i in items if i["customer"].startswith(prefix)]

    async def settle(self, prefix: str, timeout: float) -> List[Dict[str, Any]]:
        """Bounded poll until every message of ``prefix`` is delivered and answered, then
        a short quiet period so late duplicates are counted too."""
        deadline = time.monotonic() + timeout
        while True:
            items = await self.records(prefix)
            done = all(i["status"] != "pending" and (i["replies"] or i["status"] == "failed") for i in items)
            if done or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(2.0)
        return await self.records(prefix)


async def closed_loop(driver: Driver, prefix: str, customers: int, turns: int, timeout: float) -> None:
    """``customers`` customers at once, each waiting for the answer before its next message."""
    async def one(name: str) -> None:
        for _ in range(turns):
            replied = driver.event(name)
            replied.clear()
            await driver.send(name, TEXT)
            try:
                await asyncio.wait_for(replied.wait(), timeout)
            except asyncio.TimeoutError:
                pass  # counted as lost from the sandbox records

    await asyncio.gather(*(one(f"{prefix}-{i}") for i in range(customers)))


async def open_loop(driver: Driver, prefix: str, rate: float, seconds: float) -> None:
    """``rate`` webhooks per second for ``seconds`` seconds, each from a new customer."""
    count = max(1, int(rate * seconds))
    started = time.monotonic()
    tasks = []
    for index in range(count):
        delay = started + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(driver.send(f"{prefix}-{index}", TEXT, wait=False)))
    await asyncio.gather(*tasks)


async def direct_acks(driver: Driver, url: str, secret: str, page_id: str, prefix: str, rate: float,
                      seconds: float, settle: float) -> PhaseFigures:
    """Signed Messenger webhooks posted straight to Rasa at ``rate``; acks timed here,
    answers counted from the sandbox's Send API records."""
    count = max(1, int(rate * seconds))
    names = [f"{prefix}-{i}" for i in range(count)]
    people = await asyncio.gather(*(driver.call("POST", "/sandbox/api/customers", {"customer": n}) for n in names))
    requests = []
    for person in people:
        raw = json.dumps(messenger_message(page_id, person["psid"], f"m_bench_{uuid.uuid4().hex}", TEXT,
                                           int(time.time() * 1000))).encode()
        requests.append((raw, {"Content-Type": "application/json", **messenger_headers(secret, raw)}))
    timeout = aiohttp.ClientTimeout(total=20)  # Messenger's webhook timeout
    acks: List[float] = []

    async def post(raw: bytes, headers: Dict[str, str]) -> None:
        began = time.monotonic()
        try:
            async with driver.http.post(url, data=raw, headers=headers, timeout=timeout) as response:
                await response.read()
        except (aiohttp.ClientError, asyncio.TimeoutError):
            pass  # counted at the timeout: a platform would redeliver it
        acks.append((time.monotonic() - began) * 1000)

    started, tasks = time.monotonic(), []
    for index, (raw, headers) in enumerate(requests):
        delay = started + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(post(raw, headers)))
    await asyncio.gather(*tasks)
    deadline = time.monotonic() + settle
    while True:
        calls = await driver.call("GET", "/sandbox/api/outbound")
        answers = [c["customer"] for c in calls if c["operation"] == "send_message" and c["status"] == 200
                   and str(c.get("customer") or "").startswith(prefix + "-")]
        if len(set(answers)) >= count or time.monotonic() > deadline:
            break
        await asyncio.sleep(1.0)
    await asyncio.sleep(2.0)
    calls = await driver.call("GET", "/sandbox/api/outbound")
    per_customer: Dict[str, List[str]] = {}
    for c in calls:
        if c["operation"] == "send_message" and c["status"] == 200 and \
                str(c.get("customer") or "").startswith(prefix + "-"):
            per_customer.setdefault(c["customer"], []).append(str(c.get("text")))
    # A duplicate is the same message sent twice; an answer of two different messages is not.
    repeated = sum(1 for texts in per_customer.values() if len(set(texts)) < len(texts))
    several = sum(1 for texts in per_customer.values() if len(set(texts)) > 1)
    if several:
        print(f"{prefix}: {several} answers had more than one distinct message", flush=True)
    return PhaseFigures(messages=count, answered=len(per_customer), lost=count - len(per_customer),
                        duplicated=repeated, retried_deliveries=0,
                        ack_p50=percentile(acks, 50), ack_p99=percentile(acks, 99), e2e_p50=None,
                        e2e_p95=None, e2e_p99=None, throughput=None,
                        offered_rate=round(rate, 1))


def outbound_mix(calls: Sequence[Mapping[str, Any]], prefix: str, answered: int) -> Dict[str, float]:
    """Platform calls per answered message for customers named ``prefix``-*: ``send_message``
    and each sender action (``typing_on``, ``mark_seen`` ...), from ``/sandbox/api/outbound``."""
    counts: Counter = Counter()
    for call in calls:
        if not str(call.get("customer") or "").startswith(prefix + "-"):
            continue
        operation = call.get("operation") or "?"
        if operation == "sender_action":
            operation = str((call.get("detail") or {}).get("action") or operation)
        counts[operation] += 1
    return {name: round(count / answered, 2) for name, count in sorted(counts.items())} if answered else {}
