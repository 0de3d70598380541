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
from console.throttle import LoginThrottle
from console.users import UserStore
from handoff.config import load_team_config
from handoff.keys import HandoffKeys
from handoff.reconcile import Reconciler
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


def start_reconciler(settings: ConsoleSettings, store: Any, relay: Any, team: Any) -> Optional[Reconciler]:
    """The periodic pass that answers or resumes paused conversations whose ticket was lost
    (handoff/reconcile.py), on the relay's Rasa client; None without one (test relays)."""
    rasa = getattr(relay, "rasa", None)
    if rasa is None:
        return None
    # ConsoleSettings.reconcile (RECONCILE_* variables) when present, else the defaults.
    reconciler = Reconciler(store, rasa, settings.reconcile, team)
    reconciler.start()
    return reconciler


def services_ctx(relay_factory: Optional[RelayFactory] = None):
    """A cleanup_ctx generator: open Redis, users, ticket store and relay; close them after."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        settings = app[appkeys.SETTINGS]
        redis = redis_client(settings)
        app[appkeys.REDIS] = redis
        keys = ConsoleKeys(settings.redis.key_prefix)
        app[appkeys.USERS] = UserStore(redis, keys)
        app[appkeys.THROTTLE] = LoginThrottle(redis, keys, settings.throttle_limits())
        store = TicketStore(redis, HandoffKeys(settings.redis.key_prefix), retention=settings.retention)
        app[appkeys.STORE] = store
        app[appkeys.CANNED] = load_canned(settings.canned_path)
        app[appkeys.TEAM] = load_team_config()
        app[appkeys.SOCKETS] = set()
        factory = relay_factory or default_relay
        relay = await factory(settings, store)
        app[appkeys.RELAY] = relay
        reconciler = start_reconciler(settings, store, relay, app[appkeys.TEAM])
        logger.info("console.services_started canned=%s", len(app[appkeys.CANNED]))
        try:
            yield
        finally:
            if reconciler is not None:
                await reconciler.stop()
            for ws in list(app[appkeys.SOCKETS]):
                await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")
            close = getattr(relay, "close", None)
            if close is not None:
                await close()
            await redis.close()
            await redis.connection_pool.disconnect()
            logger.info("console.services_stopped")

    return ctx
