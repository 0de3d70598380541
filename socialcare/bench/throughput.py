"""`make bench`: socialcare's Messenger path against stock `rasa run` + Rasa's `facebook`
channel, on the same trained model, driven through the platform sandbox.

    python -m socialcare.bench [--customers 10] [--turns 5] [--rate 100] [--seconds 3]
                               [--ack-rate 200] [--ack-seconds S] [--platform-latency-ms 150 0]
                               [--rasa-consumers N] [--model PATH] [--no-stock]
                               [--out results/bench.json]

One stack is started on free loopback ports (embedded Redis, action server, sandbox, Rasa
with our channels, plus ``--rasa-consumers`` consume-only Rasa processes at
``RASA_CONSUMER_NICE``, see ``socialcare.supervisor``; the agent console stays off). For
each Send API latency in ``--platform-latency-ms`` (the sandbox delays every outbound
platform call by it: sends, typing indicators and read receipts alike, for both systems;
real Graph / X calls take roughly 100-300 ms, so the default is 150 ms), three phases
per system (``socialcare.bench.load``):

* ``load``: an open loop of ``rate`` webhooks/s for ``seconds`` s, each from a new
  customer: webhook ack p50/p99, end-to-end p50/p95/p99, throughput once all are answered;
* ``customers``: ``customers`` concurrent customers, each sending ``turns`` messages
  and waiting for the answer before the next one; also the platform calls per answer;
* ``ack``: ``--ack-rate`` signed webhooks/s for ``--ack-seconds`` s posted straight to
  Rasa by this process (the sandbox only plays the Send API): the webhook ack at a rate
  the sandbox itself cannot generate on a small machine, and lost/duplicated answers.

Then our Rasa processes are replaced by stock `rasa run` (`socialcare.bench.stock`: only
fbmessenger's Graph URL is pointed at the sandbox) with the same endpoints (Redis
tracker and lock store, action server) and the same phases run again. Peak RSS
(VmHWM) of every process is read from /proc, reset between systems. Prints one table
per latency and a memory table (and writes JSON to ``--out``). Not part of `make test`.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import aiohttp

from core.paths import PROJECT_ROOT
from socialcare.bench.load import Driver, closed_loop, direct_acks, open_loop, outbound_mix
from socialcare.bench.report import PhaseFigures, markdown_table, phase_figures
from socialcare.console_plan import ConsolePlan
from socialcare.sandbox_plan import PAGE_ID, SandboxPlan
from socialcare.settings import Settings
from socialcare.supervisor import CONSUMER_NAME, Child, ServiceStack, latest_model, stop_child, wait_healthy
from socialcare.training import train_fast

DEFAULT_PLATFORM_LATENCY_MS = 150.0


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
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


def labels(args: argparse.Namespace) -> Dict[str, str]:
    """Row labels of the phases, with their load."""
    return {"load": f"sandbox, {args.rate:g}/s × {args.seconds:g} s",
            "customers": f"{args.customers} customers × {args.turns} turns",
            "ack": f"direct, {args.ack_rate:g}/s × {ack_seconds(args):g} s"}


def ack_seconds(args: argparse.Namespace) -> float:
    """Duration of the direct phase (``--ack-seconds``, else ``--seconds``)."""
    return args.seconds if args.ack_seconds is None else args.ack_seconds


async def set_platform_latency(driver: Driver, ms: float) -> None:
    """Make the sandbox delay every outbound platform call (both platforms) by ``ms``."""
    answer = await driver.call("POST", "/sandbox/api/latency", {"ms": ms})
    if answer.get("latency_ms") != {"facebook": float(ms), "twitter": float(ms)}:
        raise RuntimeError(f"sandbox refused the latency: {answer}")


async def run_phases(driver: Driver, tag: str, args: argparse.Namespace,
                     stack: ServiceStack) -> tuple[Dict[str, PhaseFigures], Dict[str, float]]:
    """Warm up, then the closed loop, the open loop and the direct phase of one system at
    one latency; also the platform calls per answer of the closed loop."""
    await closed_loop(driver, f"{tag}-warm", 2, 2, timeout=120)
    await closed_loop(driver, f"{tag}-cust", args.customers, args.turns, timeout=120)
    customers = phase_figures(await driver.settle(f"{tag}-cust", timeout=120))
    mix = outbound_mix(await driver.call("GET", "/sandbox/api/outbound"), f"{tag}-cust", customers.answered)
    print(f"{tag}: closed loop done {customers} calls per answer {mix}", flush=True)
    await open_loop(driver, f"{tag}-load", args.rate, args.seconds)
    load = phase_figures(await driver.settle(f"{tag}-load", timeout=args.settle))
    print(f"{tag}: open loop done {load}", flush=True)
    figures = {"customers": customers, "load": load}
    if args.ack_rate > 0:
        url = f"http://127.0.0.1:{stack.settings.rasa_port}/webhooks/facebook/webhook"
        figures["ack"] = await direct_acks(driver, url, stack.sandbox.secrets["FACEBOOK_APP_SECRET"], PAGE_ID,
                                           f"{tag}-ack", args.ack_rate, ack_seconds(args), args.settle)
        print(f"{tag}: direct webhooks done {figures['ack']}", flush=True)
    return figures, mix


async def run_system(driver: Driver, system: str, args: argparse.Namespace,
                     stack: ServiceStack) -> Dict[float, tuple[Dict[str, PhaseFigures], Dict[str, float]]]:
    """Every latency of ``--platform-latency-ms`` for one system."""
    found = {}
    for ms in args.platform_latency_ms:
        await set_platform_latency(driver, ms)
        found[ms] = await run_phases(driver, f"{system}-{ms:g}ms", args, stack)
    return found


def pids(stack: ServiceStack) -> Dict[str, Optional[int]]:
    """Process ids of the stack's parts (the embedded Redis when there is one)."""
    found = {child.name: child.proc.pid if child.proc else None for child in stack.children}
    embedded = getattr(stack.embedded, "_proc", None)  # read-only peek for the benchmark
    found["redis-server"] = embedded.pid if embedded is not None else None
    return found


def memory(stack: ServiceStack) -> Dict[str, Optional[float]]:
    return {name: peak_rss_mib(pid) for name, pid in pids(stack).items()}


async def swap_in_stock_rasa(stack: ServiceStack, workdir: Path) -> None:
    """Replace our Rasa server(s) by stock `rasa run` with the built-in facebook channel."""
    for consumer in [c for c in stack.children if c.name.startswith(CONSUMER_NAME)]:
        await stop_child(consumer)
        stack.children.remove(consumer)
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
    argv = [sys.executable, "-m", "socialcare.bench.stock", "run", "--model", str(stack.model),
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
    return train_fast(settings.model_dir / "test")


def tables(args: argparse.Namespace, ours: Dict[float, Any], stock: Optional[Dict[float, Any]],
           memory_figures: Dict[str, Any]) -> str:
    """One markdown table per latency (with the platform calls per answer), then memory."""
    parts = []
    for ms in args.platform_latency_ms:
        mine, theirs = ours[ms], (stock or {}).get(ms)
        lines = [markdown_table(mine[0], theirs[0] if theirs else None, {}, labels(args))]
        mix = lambda m: ", ".join(f"{k} {v:g}" for k, v in m.items()) or "n/a"  # noqa: E731
        lines.append(f"| {labels(args)['customers']} | platform calls per answer | {mix(mine[1])} | "
                     f"{mix(theirs[1]) if theirs else 'n/a'} | |")
        parts.append(f"Send API latency {ms:g} ms per call:\n\n" + "\n".join(lines))
    parts.append("Memory:\n\n" + markdown_table({}, None, memory_figures, labels(args)))
    return "\n\n".join(parts)


async def bench(args: argparse.Namespace, env: Mapping[str, str]) -> Dict[str, Any]:
    """Start the stack (its children from `env`), measure socialcare, swap in stock Rasa,
    measure it; the results."""
    workdir = Path(tempfile.mkdtemp(prefix="socialcare-bench-"))
    rasa_port = free_port()
    settings = Settings.from_env({
        "SOCIALCARE_DATA_DIR": str(workdir), "EMBEDDED_REDIS_PORT": str(free_port()),
        "RASA_PORT": str(rasa_port), "ACTION_SERVER_PORT": str(free_port()), "RASA_TOKEN": "bench",
        "RASA_CONSUMERS": str(args.rasa_consumers), "RASA_CONSUMER_PORT": str(free_port()),
        "RASA_CONSUMER_NICE": env.get("RASA_CONSUMER_NICE", "5"),
    })
    model = pick_model(args.model, settings)
    children_env = {**env, "SANDBOX_WEBHOOK_TIMEOUT_S": "20"}  # Messenger's documented webhook timeout
    stack = ServiceStack(settings, model, quiet=True, sandbox=SandboxPlan.on(free_port(), rasa_port),
                         console=ConsolePlan.off(), env=children_env)
    results: Dict[str, Any] = {"model": model.name, "args": {k: str(v) for k, v in vars(args).items()},
                               "load_average_before": os.getloadavg(), "cpus": os.cpu_count()}
    print(f"starting the stack (model {model.name}, {args.rasa_consumers} consume-only Rasa) ...", flush=True)
    await stack.start(timeout=400)
    stock: Optional[Dict[float, Any]] = None
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=500)) as http:
            driver = Driver(stack.sandbox.url, http)
            await driver.start()
            try:
                for pid in pids(stack).values():
                    reset_peak_rss(pid)
                ours = await run_system(driver, "ours", args, stack)
                results["memory"] = {"socialcare": memory(stack)}
                if not args.no_stock:
                    print("swapping in stock rasa run + facebook channel ...", flush=True)
                    await swap_in_stock_rasa(stack, workdir)
                    for pid in pids(stack).values():
                        reset_peak_rss(pid)
                    stock = await run_system(driver, "stock", args, stack)
                    results["memory"]["stock"] = memory(stack)
            finally:
                await driver.stop()
    finally:
        await stack.stop()
    results["runs"] = [{"platform_latency_ms": ms,
                        "socialcare": {k: v.as_json() for k, v in ours[ms][0].items()},
                        "socialcare_calls_per_answer": ours[ms][1],
                        **({"stock": {k: v.as_json() for k, v in stock[ms][0].items()},
                            "stock_calls_per_answer": stock[ms][1]} if stock else {})}
                       for ms in args.platform_latency_ms]
    results["load_average_after"] = os.getloadavg()
    results["table"] = tables(args, ours, stock, results["memory"])
    return results


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m socialcare.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=10, help="closed loop: concurrent customers")
    parser.add_argument("--turns", type=int, default=5, help="closed loop: messages per customer")
    parser.add_argument("--rate", type=float, default=100.0, help="open loop: webhooks per second")
    parser.add_argument("--seconds", type=float, default=3.0, help="open loop: duration")
    parser.add_argument("--ack-rate", type=float, default=200.0,
                        help="direct webhooks per second posted to Rasa by the bench (0: skip)")
    parser.add_argument("--ack-seconds", type=float, help="direct phase: duration (default: --seconds)")
    parser.add_argument("--platform-latency-ms", type=float, nargs="+", default=[DEFAULT_PLATFORM_LATENCY_MS],
                        help="Send API latency the sandbox adds to every outbound call; several values: "
                             "one run each (default 150, realistic; 0: an instant platform)")
    parser.add_argument("--rasa-consumers", type=int, default=0,
                        help="consume-only Rasa processes beside a receive-only one (0: one Rasa does both)")
    parser.add_argument("--settle", type=float, default=300.0, help="open loop: max wait for answers (s)")
    parser.add_argument("--model", type=Path, help="model .tar.gz (default: newest in models/, else the test model)")
    parser.add_argument("--no-stock", action="store_true", help="measure socialcare only")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "results" / "bench.json")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of `make bench`."""
    args = build_parser().parse_args(argv)
    if any(not 0 <= ms <= 60_000 for ms in args.platform_latency_ms) or args.rasa_consumers < 0:
        build_parser().error("--platform-latency-ms must be 0-60000 and --rasa-consumers at least 0")
    results = asyncio.run(bench(args, os.environ))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"\nmodel {results['model']}, {results['cpus']} CPUs, load average before "
          f"{results['load_average_before'][0]:.2f}, after {results['load_average_after'][0]:.2f}")
    print(results["table"])
    print(f"\nfull results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
