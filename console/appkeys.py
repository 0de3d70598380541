"""Typed keys of what the console app holds (aiohttp ``web.AppKey``)."""
from __future__ import annotations

from typing import Any, List, Set

from aiohttp import web

from console.canned import CannedResponse
from console.settings import ConsoleSettings
from console.throttle import LoginThrottle
from console.users import UserStore

SETTINGS = web.AppKey("settings", ConsoleSettings)
# redis.asyncio.Redis with decode_responses=True and timeouts (users, sessions, tickets).
REDIS = web.AppKey("redis", Any)
USERS = web.AppKey("users", UserStore)
THROTTLE = web.AppKey("throttle", LoginThrottle)
# handoff.store.TicketStore
STORE = web.AppKey("store", Any)
# handoff.relay.Relay (or anything with send_agent_reply / resolve); None: replies refused.
RELAY = web.AppKey("relay", Any)
CANNED = web.AppKey("canned", List[CannedResponse])
# handoff.config.TeamConfig (SLA minutes, ageing of priorities)
TEAM = web.AppKey("team", Any)
# Open websockets, closed on shutdown.
SOCKETS = web.AppKey("sockets", Set[web.WebSocketResponse])
