"""`socialcare run`: start Redis (embedded unless one is configured), the action server and Rasa.

Prints what runs where, then waits; Ctrl-C (SIGINT) or SIGTERM stops everything in
reverse order. A child that dies takes the whole service down with a clear message.

``RASA_CONSUMERS=N`` (default 0) splits the Messenger / X intake across processes: the
Rasa server on ``RASA_PORT`` then runs with ``INTAKE_ROLE=receive`` (it verifies and
enqueues webhooks, serves the REST channel and the HTTP API, and consumes nothing), and
N more ``rasa run`` processes with ``INTAKE_ROLE=consume`` (same model, endpoints and
Redis, no HTTP API) on ``RASA_CONSUMER_PORT`` (5015) and up run the turns from the
stream, so webhook acks never wait for the GIL of a model turn; they run at
``RASA_CONSUMER_NICE`` (5), below the receiving Rasa, so acks also go first for the CPU.
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import shutil
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

import aiohttp
import redis.asyncio as aioredis

from bot.backend.seed import ensure_database
from core.embedded_redis import EmbeddedRedis, check_durability, terminate, wait_for_redis
from core.paths import PROJECT_ROOT
from core.settings import LOOPBACK, RedisTarget, bind_host, is_loopback
from handoff.erasure_run import serve_requests
from socialcare.console_plan import ConsolePlan
from socialcare.sandbox_plan import SandboxPlan
from socialcare.settings import Settings, rasa_environment

logger = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """A part of the service did not come up."""


@dataclass
class Child:
    """A child process and how to tell it is ready."""

    name: str
    argv: List[str]
    health_url: str
    proc: Optional[asyncio.subprocess.Process] = None
    env: Dict[str, str] = field(default_factory=dict, repr=False)  # extra, this child only
    restarts: List[float] = field(default_factory=list)  # monotonic times of its restarts


RESTART_LIMIT = 3  # restarts of one child within RESTART_WINDOW_S; one more crash stops the service
RESTART_WINDOW_S = 600.0


def may_restart(restarts: List[float], now: float, limit: int = RESTART_LIMIT,
                window: float = RESTART_WINDOW_S) -> bool:
    """Whether a crashed child is restarted: fewer than `limit` restarts in the last `window` s
    (a child that keeps crashing stops the service instead of looping)."""
    return sum(1 for t in restarts if now - t < window) < limit


def rasa_bin() -> str:
    """The `rasa` executable of this virtual environment."""
    return str(Path(sys.executable).with_name("rasa"))


def latest_model(model_dir: Path) -> Optional[Path]:
    """Newest `*.tar.gz` directly under `model_dir` (test models live in a subfolder)."""
    models = sorted(model_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def load_or_create_token(settings: Settings) -> str:
    """RASA_TOKEN, else a random token kept in the data dir (mode 0600)."""
    if settings.rasa_token:
        return settings.rasa_token
    path = settings.data_dir / "rasa_token"
    if path.exists():
        return path.read_text().strip()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    path.write_text(token)
    path.chmod(0o600)
    return token


CONSUMER_NAME = "rasa consumer"


def reach_host(host: str) -> str:
    """Where this machine reaches a server bound to `host` (a wildcard: 127.0.0.1)."""
    return LOOPBACK if host in ("0.0.0.0", "::", "") or is_loopback(host) else host


def exposure_warning(host: str) -> Optional[str]:
    """The loud warning for a non-loopback SOCIALCARE_BIND_HOST (None on loopback)."""
    if is_loopback(host):
        return None
    return (f"SOCIALCARE_BIND_HOST={host}: Rasa, its consumers and the action server listen beyond this "
            "machine. The REST channel is UNAUTHENTICATED: anyone who reaches the Rasa port can write as any "
            "sender id and read the answers. Put a firewall or an authenticating proxy in front.")


def rasa_argv(settings: Settings, model: Path, port: int, log_name: str, host: str = LOOPBACK) -> List[str]:
    """``rasa run`` with our model, endpoints and channels on ``host``:``port``."""
    return [
        rasa_bin(), "run",
        "--model", str(model),
        "--endpoints", str(PROJECT_ROOT / "endpoints.yml"),
        "--credentials", str(PROJECT_ROOT / "credentials.yml"),
        "--interface", host,
        "--port", str(port),
        "--log-file", str(settings.data_dir / log_name),
    ]


def consumer_children(settings: Settings, model: Path, host: str = LOOPBACK) -> List[Child]:
    """``RASA_CONSUMERS`` consume-only Rasa processes (no HTTP API), ports counting up, at
    ``RASA_CONSUMER_NICE`` (``nice`` execs Rasa, so the pid is Rasa's): when the CPUs are
    busy, the receiving Rasa's webhook acks go before the model turns."""
    nice = shutil.which("nice") if settings.rasa_consumer_nice else None
    prefix = [nice, "-n", str(settings.rasa_consumer_nice)] if nice else []
    children = []
    for index in range(settings.rasa_consumers):
        port = settings.rasa_consumer_port + index
        children.append(Child(f"{CONSUMER_NAME} {index + 1}",
                              [*prefix, *rasa_argv(settings, model, port, f"rasa-consumer-{index + 1}.log", host)],
                              f"http://{reach_host(host)}:{port}/", env={"INTAKE_ROLE": "consume"}))
    return children


def build_children(settings: Settings, model: Path, token: str, host: str = LOOPBACK) -> List[Child]:
    """The action server, the Rasa server and its consume-only helpers, in start order,
    all listening on `host` (SOCIALCARE_BIND_HOST, default 127.0.0.1)."""
    actions = Child(
        "action server",
        # bot.actions.serve: rasa_sdk's server, after warming up the knowledge index.
        [sys.executable, "-m", "bot.actions.serve", "--actions", "bot.actions", "--interface", host,
         "--port", str(settings.action_port)],
        f"http://{reach_host(host)}:{settings.action_port}/health",
    )
    rasa = Child(
        "rasa server",
        [*rasa_argv(settings, model, settings.rasa_port, "rasa.log", host), "--enable-api", "--auth-token", token],
        f"http://{reach_host(host)}:{settings.rasa_port}/",
        env={"INTAKE_ROLE": "receive"} if settings.rasa_consumers else {},
    )
    return [actions, rasa, *consumer_children(settings, model, host)]


async def wait_healthy(child: Child, timeout: float) -> None:
    """Poll the child's health URL until 200, or raise StartupError."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    client_timeout = aiohttp.ClientTimeout(total=2)
    async with aiohttp.ClientSession(timeout=client_timeout) as session:
        while loop.time() < deadline:
            if child.proc is not None and child.proc.returncode is not None:
                raise StartupError(f"{child.name} exited with code {child.proc.returncode}")
            try:
                async with session.get(child.health_url) as response:
                    if response.status == 200:
                        return
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(0.5)
    raise StartupError(f"{child.name} not healthy after {timeout:.0f}s")


async def stop_child(child: Child, timeout: float = 15.0) -> None:
    """SIGTERM, then SIGKILL after `timeout`."""
    proc = child.proc
    if proc is None or proc.returncode is not None:
        return
    await terminate(proc, timeout)


def redis_client(target: RedisTarget) -> aioredis.Redis:
    """A client of the service's Redis with timeouts (the supervisor's own checks and jobs)."""
    return aioredis.Redis(host=target.host, port=target.port, db=target.db, password=target.password or None,
                          decode_responses=True, socket_timeout=10, socket_connect_timeout=5)


async def redis_durability(target: RedisTarget) -> List[str]:
    """`core.embedded_redis.check_durability` of a configured Redis, each warning logged."""
    client = redis_client(target)
    try:
        warnings = await check_durability(client)
    finally:
        await client.close()
    for warning in warnings:
        logger.warning("supervisor.redis_not_durable %s", warning)
    return warnings


async def serve_erasure_requests(target: RedisTarget, prefix: str, stop: asyncio.Event) -> None:
    """Carry out the recorded erasure requests (Meta's callback, X's revoke) until `stop`."""
    client = redis_client(target)
    try:
        await serve_requests(client, prefix, stop)
    finally:
        await client.close()


def banner(settings: Settings, token: str, embedded: bool, model: Path,
           sandbox_url: Optional[str] = None, console_url: Optional[str] = None,
           redis_warnings: Sequence[str] = ()) -> str:
    """The 'what runs where' table printed once everything is up (with the Redis
    durability warnings, see `redis_durability`)."""
    redis = settings.redis_target()
    redis_line = (f"embedded redis-server on 127.0.0.1:{redis.port} (data in {settings.data_dir / 'redis'})"
                  if embedded else f"Redis at {redis.host}:{redis.port}/{redis.db} (REDIS_URL or REDIS_HOST)")
    return "\n".join(
        [
            "socialcare is running:",
            f"  Rasa server      http://127.0.0.1:{settings.rasa_port}  (model {model.name})",
            f"    REST channel   POST http://127.0.0.1:{settings.rasa_port}/webhooks/rest/webhook",
            f"    HTTP API       token in {'RASA_TOKEN' if settings.rasa_token else settings.data_dir / 'rasa_token'}",
            *([f"  Rasa consumers   {settings.rasa_consumers} consume-only on ports {settings.rasa_consumer_port}"
               f"-{settings.rasa_consumer_port + settings.rasa_consumers - 1} (RASA_CONSUMERS)"]
              if settings.rasa_consumers else []),
            f"  Action server    http://127.0.0.1:{settings.action_port}/webhook",
            f"  Redis            {redis_line}",
            *(f"  WARNING          {warning}" for warning in redis_warnings),
            f"  Airline backend  SQLite {settings.airline_db_path}",
            *([f"  Platform sandbox {sandbox_url}  (chat page; X and Messenger play here)"] if sandbox_url else []),
            *([f"  Agent console    {console_url}  (first user: socialcare console-user add NAME --role supervisor)"] if console_url else []),
            "Press Ctrl-C to stop.",
        ]
    )


class ServiceStack:
    """Redis (embedded unless one is configured), the sandbox, the action server, Rasa and
    the agent console, started in order.

    `env` is the environment the children start from (default: this process's, as
    `socialcare run` is the entry point); the sandbox and console plans are read from it
    unless given.
    """

    def __init__(self, settings: Settings, model: Path, *, quiet: bool = False,
                 sandbox: Optional[SandboxPlan] = None, console: Optional[ConsolePlan] = None,
                 env: Optional[Mapping[str, str]] = None) -> None:
        self.settings = settings
        self.model = model
        self.quiet = quiet
        # `socialcare run` is the process entry point: by default its children inherit its environment.
        self.base_env: Dict[str, str] = dict(os.environ if env is None else env)
        self.token = load_or_create_token(settings)
        self.redis_warnings: List[str] = []  # a configured Redis without persistence, or evicting
        self.redis = settings.redis_target()
        self.embedded: Optional[EmbeddedRedis] = (
            EmbeddedRedis(self.redis.port, settings.data_dir / "redis", binary=settings.redis_server_bin)
            if settings.redis.embedded else None
        )
        # SOCIALCARE_BIND_HOST (default 127.0.0.1): where Rasa, its consumers and the actions listen.
        self.bind_host = bind_host(self.base_env)
        self.children = build_children(settings, model, self.token, self.bind_host)
        # The platform sandbox (no real credentials set): started first, shares secrets with Rasa.
        self.sandbox = sandbox if sandbox is not None else SandboxPlan.from_env(settings.rasa_port, self.base_env)
        if self.sandbox.enabled:
            self.children.insert(0, Child("platform sandbox", self.sandbox.argv(), self.sandbox.health_url))
        # The agent console (its own aiohttp process), started last.
        self.console = console if console is not None else ConsolePlan.from_env(self.base_env)
        if self.console.enabled:
            console_env = self.console.environment(self.redis.url, settings.data_dir, settings.rasa_port, self.token)
            self.children.append(Child("agent console", self.console.argv(), self.console.health_url, env=console_env))

    def environment(self) -> Dict[str, str]:
        """The children's environment: ours plus what endpoints.yml expands."""
        env = {**self.base_env, **rasa_environment(self.settings, self.redis), **self.sandbox.environment()}
        # Rasa calls the action server where it listens (a specific SOCIALCARE_BIND_HOST too).
        env["ACTION_ENDPOINT_URL"] = f"http://{reach_host(self.bind_host)}:{self.settings.action_port}/webhook"
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
        return env

    async def start(self, timeout: float = 300) -> None:
        """Start every part and wait until each is healthy; raises StartupError."""
        warning = exposure_warning(self.bind_host)
        if warning:
            logger.warning("supervisor.exposed %s", warning)
            print(f"WARNING: {warning}", file=sys.stderr, flush=True)
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        ensure_database(str(self.settings.airline_db_path))
        if self.embedded is not None:
            await self.embedded.start()
        else:
            await wait_for_redis(self.redis.host, self.redis.port, timeout=10, password=self.redis.password)
            self.redis_warnings = await redis_durability(self.redis)
            for warning in self.redis_warnings:
                print(f"WARNING: {warning}", file=sys.stderr, flush=True)
        for child in self.children:
            await self.spawn(child, timeout)

    async def spawn(self, child: Child, timeout: float = 300) -> None:
        """Start `child` (again) and wait until it is healthy; raises StartupError."""
        output = asyncio.subprocess.DEVNULL if self.quiet else None
        child.proc = await asyncio.create_subprocess_exec(
            *child.argv, cwd=str(PROJECT_ROOT), env={**self.environment(), **child.env}, stdout=output, stderr=output
        )
        await wait_healthy(child, timeout=timeout)

    async def restart_crashed(self, now: float) -> List[str]:
        """Restart every child that exited (entries it held wait in the stream and are
        reclaimed); returns the names of those that may not restart any more."""
        given_up = []
        for child in self.children:
            if child.proc is None or child.proc.returncode is None:
                continue
            if not may_restart(child.restarts, now):
                given_up.append(child.name)
                continue
            logger.warning("supervisor.restart child=%s code=%s", child.name, child.proc.returncode)
            print(f"restarting {child.name} (exited with code {child.proc.returncode})", file=sys.stderr, flush=True)
            child.restarts.append(now)
            await self.spawn(child)
        return given_up

    async def wait_for_exit(self) -> List[str]:
        """Wait until a child exits; returns the names of those that did."""
        waiters = [asyncio.create_task(c.proc.wait()) for c in self.children if c.proc]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waiters:
                task.cancel()
        return [c.name for c in self.children if c.proc and c.proc.returncode is not None]

    async def stop(self) -> None:
        """Stop everything in reverse order."""
        for child in reversed(self.children):
            await stop_child(child)
        if self.embedded is not None:
            await self.embedded.stop()


async def run_service(settings: Settings, env: Mapping[str, str]) -> int:
    """Start everything (the children start from `env`), wait for a signal or a crash,
    stop everything. Returns exit code."""
    model = latest_model(settings.model_dir)
    if model is None:
        print(f"no trained model in {settings.model_dir}: run `make train`", file=sys.stderr)
        return 1
    stack = ServiceStack(settings, model, env=env)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    code = 0
    try:
        await stack.start()
        print(banner(settings, stack.token, stack.embedded is not None, model,
                     stack.sandbox.url if stack.sandbox.enabled else None,
                     stack.console.url if stack.console.enabled else None,
                     redis_warnings=stack.redis_warnings), flush=True)
        erasures = asyncio.create_task(serve_erasure_requests(stack.redis, settings.redis_key_prefix, stop))
        stopper = asyncio.create_task(stop.wait())
        while True:
            crashed = asyncio.create_task(stack.wait_for_exit())
            done, _ = await asyncio.wait([stopper, crashed], return_when=asyncio.FIRST_COMPLETED)
            if stopper in done:
                crashed.cancel()
                break
            given_up = await stack.restart_crashed(loop.time())
            if given_up:
                print(f"stopping: {', '.join(given_up)} keeps exiting", file=sys.stderr)
                code = 1
                break
        for task in (stopper, erasures):
            task.cancel()
    except StartupError as exc:
        print(f"startup failed: {exc}", file=sys.stderr)
        code = 1
    finally:
        print("stopping socialcare ...", flush=True)
        await stack.stop()
        print("stopped.", flush=True)
    return code
