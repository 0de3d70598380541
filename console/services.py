"""The console's resources, opened and closed by the app's ``cleanup_ctx``.

One async Redis client (with connect and read timeouts) serves users, sessions and the
ticket store; the relay (handoff.relay.Relay) sends agent replies through the customer's
channel and resumes the bot on resolve. Tests pass their own relay factory (for example a
relay whose platform clients point at a recording fake).
"""
from __future__ import annotations

import logging
from typing import Any, AsyncIterator, Awaitable, Callable, Optional

import redis.asyncio as aioredis
from aiohttp import WSCloseCode, web

from console import appkeys
from console.canned import load_canned
from console.keys import ConsoleKeys
from console.settings import ConsoleSettings
from console.users import UserStore
from handoff.config import load_team_config
from handoff.keys import HandoffKeys
from handoff.relay import Relay
from handoff.store import TicketStore

logger = logging.getLogger(__name__)

# (settings, store) -> relay with send_agent_reply/resolve/close, or None.
RelayFactory = Callable[[ConsoleSettings, Any], Awaitable[Any]]


def redis_client(settings: ConsoleSettings) -> aioredis.Redis:
    """An async client for the console's Redis: str replies, timeouts on every call."""
    target = settings.redis_target()
    return aioredis.Redis(
        host=target.host,
        port=target.port,
        db=target.db,
        password=target.password or None,
        socket_timeout=settings.redis_timeout,
        socket_connect_timeout=settings.redis_timeout,
        decode_responses=True,
        health_check_interval=30,
    )


async def default_relay(settings: ConsoleSettings, store: Any) -> Any:
    """The handoff relay of the console's settings, sharing the console's store."""
    relay = Relay.from_settings(settings.relay, store=store)
    await relay.start()
    return relay


def services_ctx(relay_factory: Optional[RelayFactory] = None):
    """A cleanup_ctx generator: open Redis, users, ticket store and relay; close them after."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        settings = app[appkeys.SETTINGS]
        redis = redis_client(settings)
        app[appkeys.REDIS] = redis
        app[appkeys.USERS] = UserStore(
            redis,
            ConsoleKeys(settings.redis.key_prefix),
            max_failures=settings.login_max_failures,
            lockout_seconds=settings.login_lockout_seconds,
        )
        store = TicketStore(redis, HandoffKeys(settings.redis.key_prefix))
        app[appkeys.STORE] = store
        app[appkeys.CANNED] = load_canned(settings.canned_path)
        app[appkeys.TEAM] = load_team_config()
        app[appkeys.SOCKETS] = set()
        factory = relay_factory or default_relay
        relay = await factory(settings, store)
        app[appkeys.RELAY] = relay
        logger.info("console.services_started canned=%s", len(app[appkeys.CANNED]))
        try:
            yield
        finally:
            for ws in list(app[appkeys.SOCKETS]):
                await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")
            close = getattr(relay, "close", None)
            if close is not None:
                await close()
            await redis.close()
            await redis.connection_pool.disconnect()
            logger.info("console.services_stopped")

    return ctx
