"""`socialcare route --jsonl` end to end: a real trained model, one JSON line per input."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
KEYS = {"intent", "confidence", "route", "handoff", "reasons", "sentiment"}


def test_route_cli_writes_one_clean_json_line_per_input(fast_model: Path):
    secret_text = "my bag never arrived in Dublin and nobody answers the phone ZQXJ"
    lines = [
        json.dumps({"text": "what is the status of flight AU451 today", "channel": "twitter_dm"}),
        "this is not json",
        json.dumps({"text": secret_text, "channel": "twitter_mention"}),
        json.dumps({"text": "hi there", "channel": "fax"}),
    ]
    socialcare = str(Path(sys.executable).with_name("socialcare"))
    result = subprocess.run(
        [socialcare, "route", "--jsonl", "--model", str(fast_model)],
        input="\n".join(lines) + "\n", cwd=str(PROJECT_ROOT), capture_output=True, text=True,
        timeout=600, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    out = [json.loads(line) for line in result.stdout.splitlines()]  # every stdout line is JSON
    assert len(out) == 4, result.stderr[-2000:]
    assert set(out[0]) == KEYS and out[0]["route"] == "transactional" and not out[0]["handoff"]
    assert out[1] == {"error": out[1]["error"], "line": 2}
    assert set(out[2]) == KEYS and out[2]["handoff"] and out[2]["route"] == "diagnostic"
    assert "public_channel" in out[2]["reasons"]
    assert -1.0 <= out[2]["sentiment"] <= 1.0
    assert "channel" in out[3]["error"] and out[3]["line"] == 4
    # Customer text never reaches the logs.
    assert "ZQXJ" not in result.stderr
