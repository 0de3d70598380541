"""The `socialcare` command: run, route, train, eval."""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import List, Mapping, Optional

from bot.backend.seed import ensure_database
from connectors.intake.deadletters import DeadLetterSettings
from console.cli import add_parsers as add_console_parsers
from console.cli import main as console_main
from core.mlenv import offline_quiet_env
from socialcare import training
from socialcare.bench.evaluation import DEFAULT_EVAL_FILE, run_eval
from socialcare.deadletters import add_parser as add_dead_letters_parser
from socialcare.deadletters import run_dead_letters
from socialcare.forget import add_parser as add_forget_parser
from socialcare.forget import run_forget
from socialcare.route import run_route
from socialcare.settings import Settings
from socialcare.supervisor import latest_model, run_service


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (one sub-command per job)."""
    parser = argparse.ArgumentParser(prog="socialcare", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start Redis, the action server and Rasa (make run)")
    route = sub.add_parser("route", help="routing decision for JSON lines on stdin")
    route.add_argument("--jsonl", action="store_true", required=True, help="JSON lines in and out")
    route.add_argument("--model", type=Path, help="model .tar.gz (default: newest in models/)")
    train = sub.add_parser("train", help="train the assistant")
    train.add_argument("--fast", action="store_true", help="small cached test model in models/test/")
    train.add_argument("--if-missing", action="store_true", help="only when models/ has no model")
    ev = sub.add_parser("eval", help="route ../shared/eval tweets and report handoff shares")
    ev.add_argument("--file", type=Path)
    ev.add_argument("--model", type=Path)
    ev.add_argument("--min-label-confidence", type=float, default=0.8)
    sub.add_parser("seed", help="create and seed the demo airline database if missing")
    add_console_parsers(sub)
    add_forget_parser(sub)
    add_dead_letters_parser(sub)
    return parser


def dispatch(args: argparse.Namespace, settings: Settings, env: Mapping[str, str]) -> int:
    """Carry out one sub-command with the settings read at start; returns the exit code."""
    if args.command == "run":
        return asyncio.run(run_service(settings, env))
    if args.command == "route":
        logging.getLogger().setLevel(logging.WARNING)
        return run_route(args.model, settings.model_dir, sys.stdin, sys.stdout)
    if args.command == "train":
        if args.fast:
            print(training.train_fast(settings.model_dir / "test"))
            return 0
        if args.if_missing and latest_model(settings.model_dir):
            print(f"model present: {latest_model(settings.model_dir)}")
            return 0
        print(training.train_full(settings.model_dir))
        return 0
    if args.command == "eval":
        path = args.file or DEFAULT_EVAL_FILE
        if not path.exists():
            print(f"skipped: {path} not found")
            return 0
        model = args.model or latest_model(settings.model_dir)
        if model is None:
            print("no trained model: run `make train`", file=sys.stderr)
            return 1
        print("\n".join(run_eval(path, model, args.min_label_confidence).lines()))
        return 0
    if args.command in ("console", "console-user"):
        return console_main(args, env)
    if args.command == "forget":
        return asyncio.run(run_forget(args, settings))
    if args.command == "dead-letters":
        return asyncio.run(run_dead_letters(args, settings, DeadLetterSettings.from_env(env)))
    if args.command == "seed":
        created = ensure_database(str(settings.airline_db_path))
        print(("seeded " if created else "exists: ") + str(settings.airline_db_path))
        return 0
    return 2


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of the `socialcare` command: reads the process environment once."""
    offline_quiet_env()
    args = build_parser().parse_args(argv)
    env = os.environ
    settings = Settings.from_env(env)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return dispatch(args, settings, env)


if __name__ == "__main__":
    sys.exit(main())
