"""`make chaos`: the fault harness. Starts the real stack with the platform sandbox and
plays customers through it while one fault happens at a time, then counts per scenario
what was sent, answered, lost and duplicated, and the status codes seen.

    python -m socialcare.bench.chaos [--scenarios all|NAME,...] [--list] [--customers 3]
                                     [--turns 2] [--deadline 60] [--pause-s 30]
                                     [--retry-after 60] [--x-reset 120] [--late-s 12]
                                     [--redis-down-s 2] [--rasa-consumers 1] [--model PATH]
                                     [--out results/chaos.json]

Scenarios (``socialcare.bench.chaos_scenarios``): ``kill_consumer``, ``redis_restart``,
``redis_pause``, ``rate_limit_storm``, ``slow_platform``, ``malformed``, ``two_authors``.
Customers take turns on Messenger, X DM and public @mentions. "lost": a customer message
with no answer (or handoff message) within the deadline; "duplicated": an answer text
delivered more than once for one message (``socialcare.bench.chaos_tally``). The stack is
the one `make bench` starts (``socialcare.bench.chaos_stack``). Prints a markdown table
and writes JSON to ``--out``. Not part of `make test`; about 12 minutes with defaults.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import aiohttp

from core.paths import PROJECT_ROOT
from socialcare.bench.chaos_scenarios import SCENARIOS, ChaosRun, run_scenario
from socialcare.bench.chaos_stack import bench_stack
from socialcare.bench.chaos_tally import markdown, select
from socialcare.bench.load import Driver

__all__ = ["build_parser", "chaos", "main"]


async def chaos(args: argparse.Namespace, names: List[str], env: Mapping[str, str]) -> Dict[str, Any]:
    """Start the stack, run ``names`` in order, stop it; the results."""
    workdir = Path(tempfile.mkdtemp(prefix="socialcare-chaos-"))
    stack = bench_stack(workdir, args.rasa_consumers, env, args.model)
    results: Dict[str, Any] = {"model": stack.model.name, "args": {k: str(v) for k, v in vars(args).items()},
                               "cpus": os.cpu_count(), "load_average_before": os.getloadavg()}
    print(f"starting the stack (model {stack.model.name}, {args.rasa_consumers} consume-only Rasa) ...", flush=True)
    began = time.monotonic()
    await stack.start(timeout=400)
    results["startup_s"] = round(time.monotonic() - began, 1)
    found = []
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as http:
            driver = Driver(stack.sandbox.url, http)
            await driver.start()
            try:
                run = ChaosRun(stack, driver, args)
                for name in names:
                    print(f"scenario {name} ...", flush=True)
                    result = await run_scenario(run, name)
                    print(f"  {result.as_json()}", flush=True)
                    found.append(result)
            finally:
                await driver.stop()
    finally:
        await stack.stop()
    results["scenarios"] = [r.as_json() for r in found]
    results["load_average_after"] = os.getloadavg()
    results["table"] = markdown(found)
    return results


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m socialcare.bench.chaos", description=__doc__.split("\n")[0])
    parser.add_argument("--scenarios", nargs="*", default=[], help="names (comma or space separated) or all")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--customers", type=int, default=3, help="customers per scenario (channels in turn)")
    parser.add_argument("--turns", type=int, default=2, help="messages per customer (closed loop)")
    parser.add_argument("--deadline", type=float, default=60.0, help="s after the fault for an answer")
    parser.add_argument("--pause-s", type=float, default=30.0, help="redis_pause: how long Redis is stopped")
    parser.add_argument("--redis-down-s", type=float, default=2.0, help="redis_restart: time between kill and start")
    parser.add_argument("--retry-after", type=float, default=60.0, help="rate_limit_storm: Retry-After (s)")
    parser.add_argument("--x-reset", type=float, default=120.0, help="rate_limit_storm: X reset this far (s)")
    parser.add_argument("--late-s", type=float, default=12.0, help="slow_platform: answer this late (s)")
    parser.add_argument("--rasa-consumers", type=int, default=1, help="consume-only Rasa processes")
    parser.add_argument("--model", type=Path, help="model .tar.gz (default: newest in models/, else the test model)")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "results" / "chaos.json")
    return parser


def main(argv: Optional[List[str]] = None, env: Optional[Mapping[str, str]] = None) -> int:
    """Entry point of `make chaos`."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list:
        for name, (fault, _) in SCENARIOS.items():
            print(f"{name:18} {fault}")
        return 0
    try:
        names = select(args.scenarios, list(SCENARIOS))
    except ValueError as exc:
        parser.error(str(exc))
    if args.customers < 1 or args.turns < 1 or args.rasa_consumers < 0:
        parser.error("--customers and --turns must be at least 1, --rasa-consumers at least 0")
    results = asyncio.run(chaos(args, names, os.environ if env is None else env))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"\nmodel {results['model']}, {results['cpus']} CPUs, startup {results['startup_s']} s")
    print(results["table"])
    print(f"\nfull results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
