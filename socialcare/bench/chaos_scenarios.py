"""The scenarios of `make chaos`: each a small function that plays customers through the
platform sandbox while one fault happens, then counts from the sandbox's records
(``socialcare.bench.chaos_tally``). They run one after the other on one stack; each
starts by resetting the sandbox's records and faults.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Tuple

from handoff.store import TicketStore
from sandbox.payloads import customer
from sandbox.signing import messenger_headers, twitter_headers
from socialcare.bench.chaos_batches import TEXT, build_batches
from socialcare.bench.chaos_stack import (
    consumer,
    kill_child,
    kill_redis,
    redis_pid,
    restart_child,
    restart_redis,
    revive,
)
from socialcare.bench.chaos_tally import (
    ScenarioResult,
    Sent,
    sent_from_inbound,
    slowest_answer_s,
    status_counts,
    tally,
)
from socialcare.bench.load import Driver
from socialcare.sandbox_plan import BRAND_USER_ID, PAGE_ID
from socialcare.supervisor import ServiceStack

__all__ = ["ChaosRun", "SCENARIOS", "run_scenario"]

CHANNELS = ("messenger", "x_dm", "x_mention")


@dataclass
class ChaosRun:
    """The stack, the sandbox driver and the options every scenario gets."""

    stack: ServiceStack
    driver: Driver
    args: argparse.Namespace
    notes: List[str] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.stack.settings.rasa_port}"

    def names(self, scenario: str) -> List[Tuple[str, str]]:
        """``(channel, customer)`` of this scenario's customers, channels in turn."""
        return [(CHANNELS[i % len(CHANNELS)], f"chaos-{scenario}-{i}") for i in range(self.args.customers)]


async def post(run: ChaosRun, channel: str, name: str, text: str, *, wait: bool = False,
               in_reply_to: Optional[str] = None) -> Dict[str, Any]:
    """A customer message through the sandbox (``wait``: until Rasa acked it)."""
    body: Dict[str, Any] = {"channel": channel, "customer": name, "text": text, "wait": wait}
    if in_reply_to:
        body["in_reply_to"] = in_reply_to
    return await run.driver.call("POST", "/sandbox/api/messages", body)


async def play(run: ChaosRun, people: Sequence[Tuple[str, str]], turns: int, wait_s: float,
               fault: Optional[Callable[[], Awaitable[None]]] = None, *, hold: bool = False) -> List[str]:
    """Closed loop: ``people`` slots each send ``turns`` messages, the next after the answer
    (or ``wait_s``). Every message comes from a fresh customer (``{slot}-t{turn}``), so each
    answer belongs to exactly one message. ``fault`` runs once every first message is
    acked; ``hold``: the slots wait for it to end before waiting for answers. The names."""
    acked, faulted = asyncio.Event(), asyncio.Event()
    pending = [len(people)]
    names = [f"{slot}-t{turn}" for _, slot in people for turn in range(turns)]

    async def one(channel: str, slot: str) -> None:
        for turn in range(turns):
            name = f"{slot}-t{turn}"
            replied = run.driver.event(name)
            await post(run, channel, name, TEXT, wait=turn == 0 and fault is not None)
            if turn == 0:
                pending[0] -= 1
                if not pending[0]:
                    acked.set()
                if hold:
                    await faulted.wait()
            try:
                await asyncio.wait_for(replied.wait(), wait_s)
            except asyncio.TimeoutError:
                pass  # counted as lost from the sandbox records

    async def hook() -> None:
        await acked.wait()
        try:
            if fault is not None:
                await fault()
        finally:
            faulted.set()

    await asyncio.gather(hook(), *(one(channel, slot) for channel, slot in people))
    return names


async def settle(run: ChaosRun, sent_of: Callable[[List[Dict[str, Any]]], List[Sent]], deadline_s: float,
                 quiet_s: float) -> Tuple[List[Sent], List[Dict[str, Any]], List[Dict[str, Any]]]:
    """Bounded poll until every message is answered (or ``deadline_s``), then ``quiet_s``
    more so late duplicates are counted; the messages, deliveries and outbound calls."""
    end = time.monotonic() + deadline_s
    while True:
        inbound = await run.driver.call("GET", "/sandbox/api/inbound")
        outbound = await run.driver.call("GET", "/sandbox/api/outbound")
        sent = sent_of(inbound)
        if tally(sent, outbound, deadline_s).lost == 0 or time.monotonic() > end:
            break
        await asyncio.sleep(1.0)
    await asyncio.sleep(quiet_s)
    inbound = await run.driver.call("GET", "/sandbox/api/inbound")
    return sent_of(inbound), inbound, await run.driver.call("GET", "/sandbox/api/outbound")


def _fill(result: ScenarioResult, sent: List[Sent], inbound: List[Dict[str, Any]],
          outbound: List[Dict[str, Any]], deadline_s: float) -> ScenarioResult:
    result.count(tally(sent, outbound, deadline_s))
    slowest = slowest_answer_s(sent, outbound)
    if slowest is not None:
        result.notes.append(f"slowest answer {slowest:g} s after its post")
    result.webhook_statuses = status_counts(a["status"] or a["error"] for i in inbound for a in i["attempts"])
    result.platform_statuses = status_counts(f"{o['platform']} {o['status']}" for o in outbound)
    return result


async def _closed(run: ChaosRun, result: ScenarioResult, turns: int, deadline_s: float, quiet_s: float,
                  fault: Optional[Callable[[], Awaitable[None]]] = None, *, hold: bool = False) -> ScenarioResult:
    """Play the scenario's customers through ``fault``; a message is lost when it has no
    answer ``deadline_s`` after it was posted plus however long the fault lasted."""
    lasted = [0.0]

    async def timed() -> None:
        began = time.monotonic()
        try:
            if fault is not None:
                await fault()
        finally:
            lasted[0] = time.monotonic() - began

    names = await play(run, run.names(result.name), turns, deadline_s, timed if fault else None, hold=hold)
    result.notes += await revive(run.stack)
    deadline_s += lasted[0]
    if fault is not None:
        result.notes.append(f"fault lasted {lasted[0]:.0f} s; deadline {deadline_s:.0f} s after each post")
    sent, inbound, outbound = await settle(run, lambda rows: sent_from_inbound(rows, names), deadline_s, quiet_s)
    return _fill(result, sent, inbound, outbound, deadline_s)


async def kill_consumer(run: ChaosRun, result: ScenarioResult) -> ScenarioResult:
    """kill -9 the consume-only Rasa right after the first messages are acked; the
    harness restarts it (the supervisor does not)."""
    child = consumer(run.stack)
    if child is None:
        raise RuntimeError("needs --rasa-consumers 1 or more")

    async def fault() -> None:
        await kill_child(child)
        await restart_child(run.stack, child)
        result.notes.append("consumer restarted by the harness (the supervisor restarts no child)")

    return await _closed(run, result, run.args.turns, run.args.deadline, 3.0, fault, hold=True)


async def redis_restart(run: ChaosRun, result: ScenarioResult) -> ScenarioResult:
    """kill -9 the embedded redis-server under load, restart it on the same port and data dir."""
    async def fault() -> None:
        await kill_redis(run.stack)
        await asyncio.sleep(run.args.redis_down_s)
        await restart_redis(run.stack)

    return await _closed(run, result, run.args.turns, run.args.deadline, 3.0, fault)


async def redis_pause(run: ChaosRun, result: ScenarioResult) -> ScenarioResult:
    """SIGSTOP the redis-server for ``--pause-s`` under load, then SIGCONT."""
    async def fault() -> None:
        pid = redis_pid(run.stack)
        assert pid is not None, "no embedded redis-server"
        os.kill(pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(run.args.pause_s)
        finally:
            os.kill(pid, signal.SIGCONT)

    return await _closed(run, result, run.args.turns, run.args.deadline, 3.0, fault)


async def rate_limit_storm(run: ChaosRun, result: ScenarioResult) -> ScenarioResult:
    """Every platform call answered 429 (Retry-After ``--retry-after``; X's reset
    ``--x-reset`` s away) until Messenger's Retry-After and X's reset have passed."""
    args = run.args
    for platform, window, reset in (("facebook", args.retry_after, None), ("twitter", args.x_reset, args.x_reset)):
        await run.driver.call("POST", "/sandbox/api/faults", {
            "platform": platform, "status": 429, "retry_after": args.retry_after, "reset_in": reset,
            "for_s": window})
    return await _closed(run, result, 1, args.x_reset + args.deadline, 5.0)


async def slow_platform(run: ChaosRun, result: ScenarioResult) -> ScenarioResult:
    """Both platforms accept every send for ``2 × --late-s`` s but answer ``--late-s`` s late."""
    for platform in ("facebook", "twitter"):
        await run.driver.call("POST", "/sandbox/api/faults", {
            "platform": platform, "status": 200, "delay_s": run.args.late_s, "for_s": 2 * run.args.late_s})
    return await _closed(run, result, 1, run.args.deadline + run.args.late_s, run.args.late_s + 8)


async def malformed(run: ChaosRun, result: ScenarioResult) -> ScenarioResult:
    """Malformed and mixed batches posted straight to Rasa, signed (``chaos_batches``)."""
    secrets = run.stack.sandbox.secrets
    codes: List[Any] = []
    good: List[str] = []
    posted: List[Tuple[str, Any, Sequence[str], Sequence[str]]] = []
    http = run.driver.http
    for batch in build_batches("chaos-malformed", PAGE_ID, BRAND_USER_ID, int(time.time() * 1000)):
        for name in (*batch.good, *batch.bad):
            await run.driver.call("POST", "/sandbox/api/customers", {"customer": name})
        for post_id, name in batch.posts.items():
            await run.driver.call("POST", "/sandbox/api/customers", {"customer": name, "post_id": post_id})
        headers = {"Content-Type": "application/json",
                   **(messenger_headers(secrets["FACEBOOK_APP_SECRET"], batch.raw) if batch.platform == "facebook"
                      else twitter_headers(secrets["TWITTER_CONSUMER_SECRET"], batch.raw))}
        url = f"{run.rasa_url}/webhooks/{batch.platform}/webhook"
        try:
            async with http.post(url, data=batch.raw, headers=headers, timeout=20) as response:
                await response.read()
                status: Any = response.status
        except (asyncio.TimeoutError, OSError) as exc:
            status = type(exc).__name__
        codes.append(status)
        posted.append((batch.name, status, batch.good, batch.bad))
        good += batch.good
    result.notes += await revive(run.stack)
    sent, _, outbound = await settle(run, lambda _: [Sent(name) for name in good], run.args.deadline, 3.0)
    result.count(tally(sent, outbound, run.args.deadline))
    result.webhook_statuses = status_counts(codes)
    result.platform_statuses = status_counts(f"{o['platform']} {o['status']}" for o in outbound)
    for name, status, good_ones, bad_ones in posted:
        answered = tally([Sent(n) for n in good_ones], outbound, run.args.deadline).answered
        bad_answered = tally([Sent(n) for n in bad_ones], outbound, run.args.deadline).answered
        result.notes.append(f"{name}: HTTP {status}, good items answered {answered}/{len(good_ones)}"
                            + (f", bad item answered {bad_answered}/{len(bad_ones)}" if bad_ones else ""))
    return result


async def two_authors(run: ChaosRun, result: ScenarioResult) -> ScenarioResult:
    """Two authors in one X thread: each must get their own answer, conversation, ticket."""
    first, second = "chaos-thread-author-a", "chaos-thread-author-b"
    texts = {first: "my bag is lost, let me speak to someone real",
             second: "my flight was cancelled, let me speak to someone real"}
    opened = await post(run, "x_mention", first, texts[first], wait=True)
    await post(run, "x_mention", second, texts[second], wait=True, in_reply_to=str(opened.get("event_id")))
    names = [first, second]
    sent, inbound, outbound = await settle(run, lambda rows: sent_from_inbound(rows, names), run.args.deadline, 3.0)
    _fill(result, sent, inbound, outbound, run.args.deadline)
    posts = {i["customer"]: i["event_id"] for i in inbound if i["customer"] in names}
    store = TicketStore.from_url(run.stack.redis.url)
    tickets: Dict[str, List[str]] = {}
    try:
        for name in names:
            replies = [o for o in outbound if o.get("customer") == name and o["operation"] == "post_reply"
                       and 200 <= o["status"] < 300]
            own = [o for o in replies if (o.get("detail") or {}).get("in_reply_to_tweet_id") == posts.get(name)]
            tickets[name] = [t.id for t in await store.tickets_of(customer(name).x_user_id)]
            texts_seen = await _tracker_texts(run, customer(name).x_user_id)
            other = next(n for n in names if n != name)
            mixed = any(texts[other] in text for text in texts_seen)
            result.notes.append(f"{name[-8:]}: {len(own)} public replies to own post, {len(tickets[name])} "
                                f"ticket(s), conversation has {len(texts_seen)} message(s)"
                                f"{', HOLDS THE OTHER AUTHOR' if mixed else ''}")
    finally:
        await store.close()
    shared = set(tickets[first]) & set(tickets[second])
    if shared:
        result.notes.append(f"{len(shared)} ticket(s) shared by both authors")
    return result


async def _tracker_texts(run: ChaosRun, sender_id: str) -> List[str]:
    """User texts of a Rasa conversation (HTTP API with the stack's token)."""
    url = f"{run.rasa_url}/conversations/{sender_id}/tracker"
    async with run.driver.http.get(url, params={"token": run.stack.token}, timeout=10) as response:
        if response.status != 200:
            return []
        tracker = json.loads(await response.text())
    return [str(e.get("text")) for e in tracker.get("events") or [] if e.get("event") == "user"]


Scenario = Callable[[ChaosRun, ScenarioResult], Awaitable[ScenarioResult]]
SCENARIOS: Dict[str, Tuple[str, Scenario]] = {
    "kill_consumer": ("kill -9 consume-only Rasa after a send", kill_consumer),
    "redis_restart": ("kill -9 Redis, restart same port/data", redis_restart),
    "redis_pause": ("Redis SIGSTOP for --pause-s", redis_pause),
    "rate_limit_storm": ("429 storm, Retry-After 60, X reset 120 s", rate_limit_storm),
    "slow_platform": ("send accepted, answered --late-s late", slow_platform),
    "malformed": ("malformed and mixed batches", malformed),
    "two_authors": ("two authors in one X thread", two_authors),
}


async def run_scenario(run: ChaosRun, name: str) -> ScenarioResult:
    """Reset the sandbox, run one scenario, restart whatever it left dead."""
    fault, scenario = SCENARIOS[name]
    result = ScenarioResult(name, fault)
    began = time.monotonic()
    await run.driver.call("POST", "/sandbox/api/reset")
    try:
        await scenario(run, result)
    except Exception as exc:  # a scenario that breaks is a finding; the others still run
        result.error = f"{type(exc).__name__}: {exc}"[:200]
        result.notes += await revive(run.stack)
    result.seconds = round(time.monotonic() - began, 1)
    return result
