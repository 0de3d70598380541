"""TicketStore contract against a real Redis (the bundled redis-server on 127.0.0.1)."""
from __future__ import annotations

import asyncio
import itertools

import pytest
import pytest_asyncio

from handoff.errors import InvalidTransition, NotOwner, TicketNotFound, TicketOwned
from handoff.reasons import reasons_from_slot
from handoff.store import TicketStore, new_ticket_id
from handoff.tickets import CLAIMED, OPEN, RESOLVED, Ticket, TranscriptTurn
from tests.helpers.handoff_support import RedisProcess, run_redis

_prefixes = itertools.count()


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    yield from run_redis(tmp_path_factory.mktemp("handoff-redis"))


@pytest_asyncio.fixture
async def store(redis_port):
    s = TicketStore.from_url(f"redis://127.0.0.1:{redis_port}/0", prefix=f"t{next(_prefixes)}", timeout=3)
    yield s
    await s.close()


def make_ticket(sender="u1", priority=3, deadline=1000.0, **kw) -> Ticket:
    return Ticket(id=new_ticket_id(), sender_id=sender, channel="messenger", priority=priority,
                  sla_deadline=deadline, reasons=reasons_from_slot(["route:diagnostic:report_lost_bag@0.97"]),
                  dossier={"summary": "Lost bag in Dublin", "transcript": []}, **kw)


@pytest.mark.asyncio
async def test_twenty_concurrent_claims_give_exactly_one_owner(store):
    ticket, _ = await store.create(make_ticket())
    agents = [f"agent{i}" for i in range(20)]
    results = await asyncio.gather(*(store.claim(ticket.id, a) for a in agents), return_exceptions=True)
    winners = [r for r in results if isinstance(r, Ticket)]
    losers = [r for r in results if isinstance(r, TicketOwned)]
    assert len(winners) == 1 and len(losers) == 19
    stored = await store.get(ticket.id)
    assert stored.status == CLAIMED and stored.owner == winners[0].owner
    assert {loser.owner for loser in losers} == {stored.owner}
    assert await store.list_open() == []
    assert [t.id for t in await store.list_claimed(stored.owner)] == [ticket.id]


@pytest.mark.asyncio
async def test_lifecycle_release_transfer_resolve_and_search(store):
    ticket, created = await store.create(make_ticket(sender="cust-7"))
    assert created and ticket.status == OPEN
    assert (await store.active_ticket("cust-7")).id == ticket.id
    await store.claim(ticket.id, "ann")
    with pytest.raises(NotOwner):
        await store.release(ticket.id, "bob")
    released = await store.release(ticket.id, "ann")
    assert released.status == OPEN and released.owner is None
    await store.claim(ticket.id, "bob")
    moved = await store.transfer(ticket.id, "bob", "cat")
    assert moved.owner == "cat" and moved.status == CLAIMED
    done = await store.resolve(ticket.id, "cat", "refund issued", ask_csat=True)
    assert done.status == RESOLVED and done.resolution == "refund issued"
    assert await store.active_ticket("cust-7") is None
    assert await store.csat_pending("cust-7") == ticket.id
    rated = await store.set_csat(ticket.id, 4)
    assert rated.csat == 4 and await store.csat_pending("cust-7") is None
    with pytest.raises(InvalidTransition):
        await store.claim(ticket.id, "ann")
    assert [t.id for t in await store.list_resolved()] == [ticket.id]
    assert [t.id for t in await store.search("dublin REFUND")] == [ticket.id]
    assert await store.search("paris") == []
    actions = [h["action"] for h in (await store.get(ticket.id)).history]
    assert actions == ["created", "claimed", "released", "claimed", "transfer", "resolved", "csat"]
    with pytest.raises(TicketNotFound):
        await store.get("t-missing")


@pytest.mark.asyncio
async def test_second_handoff_of_a_sender_merges_into_the_open_ticket(store):
    first, _ = await store.create(make_ticket(sender="dup", priority=3, deadline=500.0))
    second = make_ticket(sender="dup", priority=1, deadline=900.0)
    second = Ticket(**{**second.__dict__, "reasons": reasons_from_slot(["vip:gold@1.00"])})
    merged, created = await store.create(second)
    assert not created and merged.id == first.id
    assert merged.priority == 1 and merged.sla_deadline == 500.0
    assert [r.code for r in merged.reasons] == ["route", "vip"]
    assert len(await store.tickets_of("dup")) == 1


@pytest.mark.asyncio
async def test_queue_is_ordered_by_sla_deadline(store):
    late, _ = await store.create(make_ticket(sender="a", deadline=300.0))
    soon, _ = await store.create(make_ticket(sender="b", deadline=100.0))
    assert [t.id for t in await store.list_open()] == [soon.id, late.id]
    stats = await store.stats()
    assert stats.open == 2 and stats.claimed == 0


@pytest.mark.asyncio
async def test_subscribe_replays_then_streams_live_turns(store):
    ticket, _ = await store.create(make_ticket(sender="live"))
    await store.append_turn(ticket.id, TranscriptTurn("customer", "hello?", 10.0, channel="messenger"))
    stop = asyncio.Event()
    seen = []

    async def consume():
        async for event in store.subscribe(ticket.id, last_id="0", block_ms=200, stop=stop):
            seen.append(event)
            if event.kind == "turn" and event.turn.text == "still there?":
                stop.set()

    task = asyncio.create_task(consume())
    await store.claim(ticket.id, "ann")
    await store.append_turn(ticket.id, TranscriptTurn("customer", "still there?", 11.0, channel="messenger"))
    await asyncio.wait_for(task, 5)
    kinds = [(e.kind, e.data.get("action") or e.data.get("text")) for e in seen]
    assert kinds == [("status", "created"), ("turn", "hello?"), ("status", "claimed"), ("turn", "still there?")]
    assert [t.text for _, t in await store.transcript(ticket.id)] == ["hello?", "still there?"]


@pytest.mark.asyncio
async def test_tickets_survive_a_redis_restart(tmp_path):
    server = RedisProcess(tmp_path / "r")
    try:
        s = TicketStore.from_url(f"redis://127.0.0.1:{server.start()}/0", timeout=3)
        ticket, _ = await s.create(make_ticket(sender="durable"))
        await s.claim(ticket.id, "ann")
        await s.close()
        server.stop()
        s = TicketStore.from_url(f"redis://127.0.0.1:{server.start()}/0", timeout=3)
        stored = await s.get(ticket.id)
        assert stored.dossier["summary"] == "Lost bag in Dublin" and stored.owner == "ann"
        assert [t.id for t in await s.list_claimed("ann")] == [ticket.id]
        assert (await s.active_ticket("durable")).id == ticket.id
        await s.close()
    finally:
        server.stop()
