"""`make bench`: socialcare's Messenger path against stock `rasa run` + Rasa's `facebook`
channel, on the same trained model, driven through the platform sandbox.

    python -m socialcare.bench [--customers 10] [--turns 5] [--rate 100] [--seconds 3]
                               [--model PATH] [--no-stock] [--out results/bench.json]

One stack is started on free loopback ports (embedded Redis, action server, sandbox, Rasa
with our channels; the agent console stays off). Two phases per system:

* ``load``: an open loop of ``rate`` webhooks/s for ``seconds`` s, each from a new
  customer: webhook ack p50/p99, end-to-end p50/p95/p99, throughput once all are answered;
* ``customers``: ``customers`` concurrent customers, each sending ``turns`` messages
  and waiting for the answer before the next one;
* ``ack``: ``--ack-rate`` signed webhooks/s for ``seconds`` s posted straight to Rasa by
  this process (the sandbox only plays the Send API): the webhook ack at a rate the
  sandbox itself cannot generate on a small machine, and lost/duplicated answers.

Then our Rasa is replaced by stock `rasa run` (`socialcare.bench_stock`: only
fbmessenger's Graph URL is pointed at the sandbox) with the same endpoints (Redis
tracker and lock store, action server) and the same phases run again. Peak RSS
(VmHWM) of every process is read from /proc, reset between systems. Prints the table
(and writes JSON to ``--out``). Not part of `make test`.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import aiohttp

from sandbox.payloads import messenger_message
from sandbox.signing import messenger_headers
from socialcare.bench_report import PhaseFigures, markdown_table, percentile, phase_figures
from socialcare.paths import PROJECT_ROOT
from socialcare.sandbox_plan import PAGE_ID, SandboxPlan
from socialcare.settings import Settings
from socialcare.supervisor import Child, ServiceStack, latest_model, stop_child, wait_healthy

TEXT = "status of AU451 today?"
LABELS = {"load": "open loop", "customers": "closed loop", "ack": "direct webhooks"}


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mib(pid: Optional[int]) -> Optional[float]:
    """VmHWM of a process in MiB (None when unknown)."""
    if not pid:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def reset_peak_rss(pid: Optional[int]) -> None:
    """Reset a process's VmHWM (Linux: ``5`` to ``/proc/PID/clear_refs``); best effort."""
    if pid:
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        except OSError:
            pass


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


async def direct_acks(driver: Driver, stack: ServiceStack, prefix: str, rate: float, seconds: float,
                      settle: float) -> PhaseFigures:
    """Signed Messenger webhooks posted straight to Rasa at ``rate``; acks timed here,
    answers counted from the sandbox's Send API records."""
    count = max(1, int(rate * seconds))
    names = [f"{prefix}-{i}" for i in range(count)]
    people = await asyncio.gather(*(driver.call("POST", "/sandbox/api/customers", {"customer": n}) for n in names))
    secret = stack.sandbox.secrets["FACEBOOK_APP_SECRET"]
    requests = []
    for person in people:
        raw = json.dumps(messenger_message(PAGE_ID, person["psid"], f"m_bench_{uuid.uuid4().hex}", TEXT,
                                           int(time.time() * 1000))).encode()
        requests.append((raw, {"Content-Type": "application/json", **messenger_headers(secret, raw)}))
    url = f"http://127.0.0.1:{stack.settings.rasa_port}/webhooks/facebook/webhook"
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
    answers = [c["customer"] for c in calls if c["operation"] == "send_message" and c["status"] == 200
               and str(c.get("customer") or "").startswith(prefix + "-")]
    per_customer = {name: answers.count(name) for name in set(answers)}
    return PhaseFigures(messages=count, answered=len(per_customer), lost=count - len(per_customer),
                        duplicated=sum(1 for n in per_customer.values() if n > 1), retried_deliveries=0,
                        ack_p50=percentile(acks, 50), ack_p99=percentile(acks, 99), e2e_p50=None,
                        e2e_p95=None, e2e_p99=None, throughput=None,
                        offered_rate=round(rate, 1))


async def run_phases(driver: Driver, system: str, args: argparse.Namespace,
                     stack: ServiceStack) -> Dict[str, PhaseFigures]:
    """Warm up, then the closed and the open loop of one system."""
    await closed_loop(driver, f"{system}-warm", 2, 2, timeout=120)
    await closed_loop(driver, f"{system}-cust", args.customers, args.turns, timeout=120)
    customers = phase_figures(await driver.settle(f"{system}-cust", timeout=120))
    print(f"{system}: closed loop done {customers}", flush=True)
    await open_loop(driver, f"{system}-load", args.rate, args.seconds)
    load = phase_figures(await driver.settle(f"{system}-load", timeout=args.settle))
    print(f"{system}: open loop done {load}", flush=True)
    figures = {"customers": customers, "load": load}
    if args.ack_rate > 0:
        figures["ack"] = await direct_acks(driver, stack, f"{system}-ack", args.ack_rate, args.seconds, args.settle)
        print(f"{system}: direct webhooks done {figures['ack']}", flush=True)
    return figures


def pids(stack: ServiceStack) -> Dict[str, Optional[int]]:
    """Process ids of the stack's parts (the embedded Redis when there is one)."""
    found = {child.name: child.proc.pid if child.proc else None for child in stack.children}
    embedded = getattr(stack.embedded, "_proc", None)  # read-only peek for the benchmark
    found["redis-server"] = embedded.pid if embedded is not None else None
    return found


def memory(stack: ServiceStack) -> Dict[str, Optional[float]]:
    return {name: peak_rss_mib(pid) for name, pid in pids(stack).items()}


async def swap_in_stock_rasa(stack: ServiceStack, workdir: Path) -> None:
    """Replace our Rasa server by stock `rasa run` with the built-in facebook channel."""
    ours = next(child for child in stack.children if child.name == "rasa server")
    await stop_child(ours)
    secrets = stack.sandbox.secrets
    credentials = workdir / "stock-credentials.yml"
    credentials.write_text(
        "facebook:\n"
        f"  verify: \"{secrets['FACEBOOK_VERIFY_TOKEN']}\"\n"
        f"  secret: \"{secrets['FACEBOOK_APP_SECRET']}\"\n"
        f"  page-access-token: \"{secrets['FACEBOOK_PAGE_ACCESS_TOKEN']}\"\n")
    credentials.chmod(0o600)
    argv = [sys.executable, "-m", "socialcare.bench_stock", "run", "--model", str(stack.model),
            "--endpoints", str(PROJECT_ROOT / "endpoints.yml"), "--credentials", str(credentials),
            "--port", str(stack.settings.rasa_port)]
    stock = Child("rasa server", argv, ours.health_url)  # same row in the memory table
    env = {**stack.environment(), "STOCK_GRAPH_URL": f"{stack.sandbox.url}/v2.12"}
    stock.proc = await asyncio.create_subprocess_exec(*argv, cwd=str(PROJECT_ROOT), env=env,
                                                      stdout=asyncio.subprocess.DEVNULL,
                                                      stderr=asyncio.subprocess.DEVNULL)
    stack.children[stack.children.index(ours)] = stock
    await wait_healthy(stock, timeout=400)


def pick_model(explicit: Optional[Path], settings: Settings) -> Path:
    if explicit is not None:
        return explicit
    model = latest_model(settings.model_dir)
    if model is not None:
        return model
    from socialcare.training import train_fast

    return train_fast(settings.model_dir / "test")


async def bench(args: argparse.Namespace) -> Dict[str, Any]:
    """Start the stack, measure socialcare, swap in stock Rasa, measure it; the results."""
    workdir = Path(tempfile.mkdtemp(prefix="socialcare-bench-"))
    rasa_port = free_port()
    settings = Settings.from_env({
        "SOCIALCARE_DATA_DIR": str(workdir), "EMBEDDED_REDIS_PORT": str(free_port()),
        "RASA_PORT": str(rasa_port), "ACTION_SERVER_PORT": str(free_port()), "RASA_TOKEN": "bench",
    })
    model = pick_model(args.model, settings)
    os.environ["SANDBOX_WEBHOOK_TIMEOUT_S"] = "20"  # Messenger's documented webhook timeout
    from console.plan import ConsolePlan

    stack = ServiceStack(settings, model, quiet=True, sandbox=SandboxPlan.on(free_port(), rasa_port),
                         console=ConsolePlan.off())
    results: Dict[str, Any] = {"model": model.name, "args": {k: str(v) for k, v in vars(args).items()},
                               "load_average_before": os.getloadavg(), "cpus": os.cpu_count()}
    print(f"starting the stack (model {model.name}) ...", flush=True)
    await stack.start(timeout=400)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=500)) as http:
            driver = Driver(stack.sandbox.url, http)
            await driver.start()
            try:
                for pid in pids(stack).values():
                    reset_peak_rss(pid)
                ours = await run_phases(driver, "ours", args, stack)
                results["socialcare"] = {k: v.as_json() for k, v in ours.items()}
                results["memory"] = {"socialcare": memory(stack)}
                stock: Optional[Dict[str, PhaseFigures]] = None
                if not args.no_stock:
                    print("swapping in stock rasa run + facebook channel ...", flush=True)
                    await swap_in_stock_rasa(stack, workdir)
                    for pid in pids(stack).values():
                        reset_peak_rss(pid)
                    stock = await run_phases(driver, "stock", args, stack)
                    results["stock"] = {k: v.as_json() for k, v in stock.items()}
                    results["memory"]["stock"] = memory(stack)
            finally:
                await driver.stop()
    finally:
        await stack.stop()
    results["load_average_after"] = os.getloadavg()
    results["table"] = markdown_table(ours, stock, results["memory"], LABELS)
    return results


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m socialcare.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=10, help="closed loop: concurrent customers")
    parser.add_argument("--turns", type=int, default=5, help="closed loop: messages per customer")
    parser.add_argument("--rate", type=float, default=100.0, help="open loop: webhooks per second")
    parser.add_argument("--seconds", type=float, default=3.0, help="open loop: duration")
    parser.add_argument("--ack-rate", type=float, default=200.0,
                        help="direct webhooks per second posted to Rasa by the bench (0: skip)")
    parser.add_argument("--settle", type=float, default=300.0, help="open loop: max wait for answers (s)")
    parser.add_argument("--model", type=Path, help="model .tar.gz (default: newest in models/, else the test model)")
    parser.add_argument("--no-stock", action="store_true", help="measure socialcare only")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "results" / "bench.json")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of `make bench`."""
    args = build_parser().parse_args(argv)
    results = asyncio.run(bench(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"\nmodel {results['model']}, {results['cpus']} CPUs, load average before "
          f"{results['load_average_before'][0]:.2f}, after {results['load_average_after'][0]:.2f}")
    print(results["table"])
    print(f"\nfull results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
