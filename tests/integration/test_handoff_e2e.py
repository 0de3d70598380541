"""End to end through the REST channel with the real stack (Redis, action server, Rasa with
the handoff event broker): a diagnostic message becomes a ticket with its dossier; the
agent's reply is recorded in the conversation; the customer's next message reaches the
ticket and not the bot; after resolve the bot answers again and the CSAT answer lands on
the ticket. (The console and the platform sandbox are other engineers' tests.)
"""
from __future__ import annotations

import asyncio
import uuid
from typing import Any, Awaitable, Callable, List

import aiohttp
import pytest

from handoff.rasa_api import RasaClient
from handoff.relay import Relay
from handoff.senders import TrackerOnlySender
from handoff.store import TicketStore

pytestmark = pytest.mark.integration


async def say(session: aiohttp.ClientSession, port: int, sender: str, text: str) -> List[str]:
    async with session.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                            json={"sender": sender, "message": text}) as response:
        assert response.status == 200
        return [m.get("text", "") for m in await response.json()]


async def tracker(session: aiohttp.ClientSession, port: int, token: str, sender: str) -> dict:
    async with session.get(f"http://127.0.0.1:{port}/conversations/{sender}/tracker",
                           params={"token": token}) as response:
        assert response.status == 200
        return await response.json()


async def poll(check: Callable[[], Awaitable[Any]], timeout: float = 15.0) -> Any:
    """Bounded poll: the first truthy result of `check`, or fail after `timeout` s."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


def test_handoff_round_trip_through_rest(stack):
    async def scenario():
        port, token = stack.settings.rasa_port, stack.token
        store = TicketStore.from_url(stack.redis.url, stack.settings.redis_key_prefix, timeout=5)
        relay = Relay(store, RasaClient(f"http://127.0.0.1:{port}", token), {"rest": TrackerOnlySender()})
        await relay.start()
        sender = f"it-handoff-{uuid.uuid4().hex[:8]}"
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
                first = " ".join(await say(session, port, sender, "my bag never arrived in Dublin"))
                assert "person from our team" in first and "team" in first.split("person from our team")[-1]

                ticket = await poll(lambda: store.active_ticket(sender))
                assert ticket.status == "open" and ticket.channel == "rest"
                assert any(r.code == "route" and r.score > 0 for r in ticket.reasons)
                customer = [t for t in ticket.dossier["transcript"] if t["speaker"] == "customer"]
                assert customer[-1]["text"] == "my bag never arrived in Dublin" and customer[-1]["timestamp"]
                assert ticket.dossier["intents"][-1]["intent"] and ticket.dossier["summary"]["headline"]
                state = await tracker(session, port, token, sender)
                assert state["paused"] is True

                await store.claim(ticket.id, "ann")
                await relay.send_agent_reply(ticket.id, "Hi, Ann here. I'm looking into your bag.", "ann")
                events = (await tracker(session, port, token, sender))["events"]
                agent_turns = [e for e in events if e["event"] == "bot"
                               and (e.get("metadata") or {}).get("handoff_agent") == "ann"]
                assert [e["text"] for e in agent_turns] == ["Hi, Ann here. I'm looking into your bag."]

                assert await say(session, port, sender, "thanks, the file ref is LGWAU12345") == []

                async def customer_turn_arrived():
                    return [t for _, t in await store.transcript(ticket.id)
                            if t.speaker == "customer" and "LGWAU12345" in t.text]

                await poll(customer_turn_arrived)

                await relay.resolve(ticket.id, "ann", resolution="bag traced", ask_csat=True)
                state = await tracker(session, port, token, sender)
                assert state["paused"] is False
                thanks = " ".join(await say(session, port, sender, "5"))
                assert "Thank you for rating us" in thanks, thanks
                await poll(lambda: _csat(store, ticket.id))
                answer = " ".join(await say(session, port, sender, "how big can my cabin bag be?"))
                assert answer.strip(), "the bot answers again after resolve"
        finally:
            await relay.close()
            await store.close()

    asyncio.run(scenario())


async def _csat(store: TicketStore, ticket_id: str):
    return (await store.get(ticket_id)).csat == 5
