"""`socialcare route --jsonl`: the routing decision for each JSON line on stdin.

Loads the trained model once, parses each text as the first message of a new
conversation, and applies `handoff.triggers.decide`, the code the service runs.
A bad line gets an `{"error": ...}` line in its place, so output stays aligned.
"""
from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import IO, Any, Dict, Optional

from connectors.channels import ChannelKind
from handoff.config import load_handoff_policy
from handoff.routes import load_route_table
from handoff.triggers import decide
from socialcare.supervisor import latest_model

CHANNELS = ChannelKind.ALL


class RouteInputError(ValueError):
    """One input line is not a usable request."""


def parse_request(line: str) -> Dict[str, str]:
    """Validate one input line: `{"text": str, "channel": one of CHANNELS}`."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RouteInputError(f"invalid JSON: {exc.msg}") from exc
    if not isinstance(obj, dict):
        raise RouteInputError("each line must be a JSON object")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise RouteInputError("'text' must be a non-empty string")
    channel = obj.get("channel", "twitter_dm")
    if channel not in CHANNELS:
        raise RouteInputError(f"'channel' must be one of {', '.join(CHANNELS)}")
    return {"text": text, "channel": channel}


def quiet_rasa_logs(level: int = logging.WARNING) -> None:
    """Send Rasa's logs to stderr at `level`.

    Without this, Rasa's structlog debug lines (which include the message text) would be
    printed to stdout, mixing customer text into the JSON lines and into logs.
    """
    from rasa.utils.log_utils import configure_structlog  # deferred: Rasa is heavy to import

    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    logging.basicConfig(stream=sys.stderr, level=level, format="%(message)s")
    configure_structlog(level)


def load_agent(model: Path) -> Any:
    """Load a trained Rasa model (NLU part used) once, with Rasa's logs quiet."""
    from rasa.core.agent import Agent  # deferred: Rasa is heavy to import

    quiet_rasa_logs()
    return Agent.load(str(model))


async def route_stream(agent: Any, lines: IO[str], out: IO[str]) -> int:
    """Route every line of `lines` to `out`; returns the number of bad lines."""
    table, policy = load_route_table(), load_handoff_policy()
    errors = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            request = parse_request(line)
        except RouteInputError as exc:
            errors += 1
            out.write(json.dumps({"error": str(exc), "line": number}) + "\n")
            continue
        parse = await agent.parse_message(request["text"])
        decision = decide(parse, request["channel"], table, policy)
        out.write(json.dumps(decision.as_json(), ensure_ascii=False) + "\n")
        out.flush()
    return errors


def run_route(model: Optional[Path], model_dir: Path, lines: IO[str], out: IO[str]) -> int:
    """Entry for the CLI; returns the process exit code (1 when any line was bad)."""
    model = model or latest_model(model_dir)
    if model is None or not Path(model).exists():
        raise SystemExit(f"no trained model in {model_dir}: run `make train`")
    agent = load_agent(Path(model))
    errors = asyncio.run(route_stream(agent, lines, out))
    return 1 if errors else 0
