"""Shared shell of the Messenger and X Rasa input channels.

``WebhookChannel.blueprint`` serves, under ``/webhooks/<name>/``:

* ``GET /``         health: ``{"status": "ok" | "off"}``
* ``GET /webhook``  the platform's subscription check (subclass: ``answer_get``)
* ``POST /webhook`` read at most ``max_body_bytes`` raw bytes (413), verify the
  signature on them (401), decode JSON (400, also for JSON nested too deeply), parse
  the batch (400 only when the body itself is unusable: not an object, no ``entry``,
  an unknown object), enqueue every inbound event, record standby events and keep
  every unusable item in the dead letters with its reason
  (``connectors.intake.deadletters``; 503 when Redis is down), then 200: one bad item
  never refuses the good ones. Work is never done before the 200.

A channel whose settings are absent is *off*: Rasa still gets an instance (it needs one
per credentials entry), its webhook routes answer 503 ``channel_not_configured`` with the
names (never values) of the missing variables, and it opens no connection.

The stream consumer runs in the Rasa server process, on a worker thread with its own
event loop (``connectors.intake.worker``): Rasa's model work blocks the loop a turn runs
on, and the webhook answers must not wait for it. Opened in ``before_server_start``
(Redis clients, platform client on the worker loop; an API client on Sanic's loop for
``get_output_channel``), started in ``after_server_start`` (after Rasa loaded its agent),
stopped in ``before_server_stop`` (the current turn finishes first). While Rasa has no
model loaded (its ``Agent.handle_message`` would silently drop the message) entries stay
pending and are retried (``RetryLater``), never acked unhandled.

``INTAKE_ROLE`` (``IntakeSettings.role``) splits this across processes: ``receive``
starts no worker loop and no consumer (the process only verifies, enqueues and answers,
so its acks never wait for the GIL of a model turn); ``consume`` and ``both`` (default)
start them. Every role serves the webhook routes.
"""
from __future__ import annotations

import logging
import os
import time
from typing import Any, Awaitable, Callable, Dict, Optional, Sequence, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.events import InboundEvent, ParsedEvent
from connectors.intake import webhook
from connectors.intake.consumer import RetryLater
from connectors.intake.deadletters import DeadLetters, DeadLetterSettings
from connectors.intake.erasures import record_erasures
from connectors.intake.runtime import IntakeRuntime, connect_redis
from connectors.intake.settings import IntakeSettings
from connectors.intake.worker import WorkerLoop
from connectors.outbox.settings import ReliabilitySettings
from core.settings import RedisSettings

__all__ = ["WebhookChannel", "OnNewMessage"]

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class WebhookChannel(InputChannel):
    """Base class; subclasses set ``platform``, ``settings_module`` (a module with
    ``REQUIRED`` and ``missing(env)``) and ``settings_class`` (with ``from_env(env)``) and
    implement the abstract hooks.
    ``client`` / ``api_client`` (outbound clients with ``start``/``close``) are opened and
    closed here; a subclass that needs more extends the ``open_*`` hooks."""

    platform = ""
    settings_module: Any = None
    settings_class: Any = None
    client: Any = None  # the turns' outbound client (worker loop)
    api_client: Any = None  # ``get_output_channel``'s client (Sanic's loop)

    def __init__(
        self,
        settings: Any,
        missing: Sequence[str] = (),
        redis_settings: RedisSettings | None = None,
        intake: IntakeSettings | None = None,
        *,
        redis_factory: Callable[[RedisSettings], Any] = connect_redis,
        dead_letters: DeadLetterSettings | None = None,
        reliability: ReliabilitySettings | None = None,
    ) -> None:
        self.settings = settings
        self.missing = list(missing)
        self.intake = intake or IntakeSettings()
        self.dead_letters = dead_letters or DeadLetterSettings()
        self.redis_settings = redis_settings or RedisSettings()
        self.runtime = IntakeRuntime(
            self.platform, self.redis_settings, self.intake, redis_factory=redis_factory, reliability=reliability,
            dead_letters=lambda redis: DeadLetters(redis, self.runtime.keys, self.dead_letters))
        self.app: Any = None
        self.worker = WorkerLoop(f"intake-{self.platform}")
        if settings is None:
            level = logging.ERROR if len(self.missing) < self._required_count() else logging.INFO
            logger.log(level, "channel.off platform=%s missing=%s", self.platform, ",".join(self.missing))

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WebhookChannel":
        """Settings come from the environment only; values in credentials.yml are ignored.

        Rasa calls this in its own process: it is the channel's entry point, so this is
        where the process environment is read (once, into settings objects).
        """
        if credentials:
            logger.warning("channel.credentials_ignored platform=%s keys=%s", cls.platform,
                           ",".join(sorted(map(str, credentials))))
        env = os.environ
        return cls(cls.settings_class.from_env(env), cls.settings_module.missing(env),
                   RedisSettings.from_env(env), IntakeSettings.from_env(env),
                   dead_letters=DeadLetterSettings.from_env(env), reliability=ReliabilitySettings.from_env(env))

    # ------------------------------------------------------------------ hooks
    @classmethod
    def _required_count(cls) -> int:
        return len(cls.settings_module.REQUIRED)

    def answer_get(self, request: Request) -> HTTPResponse:
        """The platform's GET check (Meta verify / X CRC)."""
        raise NotImplementedError

    def verify(self, raw: bytes, request: Request) -> None:
        """Raise ``SignatureError`` unless ``raw`` is signed by the platform."""
        raise NotImplementedError

    def parse(self, body: Any) -> list[ParsedEvent]:
        """The whole batch as events, in delivery order."""
        raise NotImplementedError

    async def handle(self, event: InboundEvent, on_new_message: OnNewMessage) -> None:
        """One consumer turn: build the ``UserMessage``, run it, send what is due."""
        raise NotImplementedError

    async def open_platform(self) -> None:
        """Open the outbound client of the turns (on the worker loop, before the server starts)."""
        if self.client is not None:
            await self.client.start()

    async def close_platform(self) -> None:
        """Close the outbound client of the turns (on the worker loop)."""
        if self.client is not None:
            await self.client.close()

    async def open_api(self) -> None:
        """Open what ``get_output_channel`` needs on Sanic's loop (Rasa's HTTP API)."""
        if self.api_client is not None:
            await self.api_client.start()

    async def close_api(self) -> None:
        """Close what ``open_api`` opened."""
        if self.api_client is not None:
            await self.api_client.close()

    # ------------------------------------------------------------------ Rasa API
    @property
    def configured(self) -> bool:
        return self.settings is not None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Routes and listeners of this channel (see the module docstring)."""
        bp = Blueprint(f"socialcare_{self.platform}_webhook", __name__)

        @bp.route("/", methods=["GET"], name=f"{self.platform}_health")
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.configured else "off"})

        @bp.route("/webhook", methods=["GET"], name=f"{self.platform}_webhook_get")
        async def webhook_get(request: Request) -> HTTPResponse:
            if not self.configured:
                return self._off()
            try:
                return self.answer_get(request)
            except Exception as exc:
                status, code = webhook.status_for(exc)
                logger.warning("webhook.get_refused platform=%s status=%s error=%s",
                               self.platform, status, type(exc).__name__)
                return webhook.error(status, code)

        @bp.route("/webhook", methods=["POST"], stream=True, name=f"{self.platform}_webhook_post")
        async def webhook_post(request: Request) -> HTTPResponse:
            if not self.configured:
                return self._off()
            return await self._receive(request)

        if self.configured:
            @bp.listener("before_server_start")
            async def open_intake(app: Any, _loop: Any) -> None:
                self.app = app
                await self.runtime.open()
                await self.open_api()
                if self.intake.consumes:
                    self.worker.start()
                    await self.worker.run(self._open_turn_side())
                logger.info("intake.role platform=%s role=%s", self.platform, self.intake.role)

            @bp.listener("after_server_start")
            async def start_consumer(app: Any, _loop: Any) -> None:
                if not self.intake.consumes:
                    return

                async def handler(event: InboundEvent) -> None:
                    self._require_ready_agent()
                    await self.handle(event, on_new_message)

                await self.worker.run(self.runtime.start_consumer(handler))

            @bp.listener("before_server_stop")
            async def stop_intake(_app: Any, _loop: Any) -> None:
                if self.worker.running:
                    await self.worker.run(self._close_turn_side())
                    await self.worker.stop()
                await self.runtime.close()
                await self.close_api()

        return bp

    async def _open_turn_side(self) -> None:
        await self.runtime.open_worker()
        await self.open_platform()

    async def _close_turn_side(self) -> None:
        try:
            await self.runtime.stop_consumer()
        finally:
            await self.close_platform()

    def _require_ready_agent(self) -> None:
        """Rasa's ``Agent.handle_message`` silently drops a message while no model is
        loaded; keep the entry pending instead (retried, not counted as a failure)."""
        agent = getattr(getattr(self.app, "ctx", None), "agent", None)
        if agent is not None and hasattr(agent, "is_ready") and not agent.is_ready():
            raise RetryLater("agent_not_ready")

    def _off(self) -> HTTPResponse:
        return webhook.error(503, "channel_not_configured", channel=self.name(), missing=self.missing)

    async def _receive(self, request: Request) -> HTTPResponse:
        started = time.monotonic()
        try:
            raw = await webhook.read_body(request, self.intake.max_body_bytes)
            self.verify(raw, request)  # verify before parsing, on the exact bytes
            events = self.parse(webhook.decode_json(raw))
        except Exception as exc:
            status, code = webhook.status_for(exc)
            log = logger.error if status >= 500 else logger.warning
            log("webhook.rejected platform=%s status=%s error=%s detail=%s", self.platform, status,
                type(exc).__name__, getattr(exc, "path", ""))
            return webhook.error(status, code)
        queue = self.runtime.queue
        if queue is None:
            return webhook.error(503, "intake_unavailable")
        store = DeadLetters(self.runtime.redis, self.runtime.keys, self.dead_letters)
        try:
            accepted = await webhook.accept(queue, self.platform, events, deadletters=store)
            await record_erasures(self.runtime.redis, self.runtime.keys, events)  # X revoke -> erasure
        except Exception as exc:  # Redis down: no 200, the platform retries later
            logger.error("webhook.enqueue_failed platform=%s events=%s error=%s", self.platform,
                         len(events), type(exc).__name__)
            return webhook.error(503, "intake_unavailable")
        logger.debug("webhook.acked platform=%s ms=%.1f", self.platform, (time.monotonic() - started) * 1000)
        return response.json({"status": "ok", **accepted.as_json()})
