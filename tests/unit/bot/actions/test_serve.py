"""The action server's entry point (bot/actions/serve.py): options, start order, no work at import."""
import os
import subprocess
import sys

from bot.actions import serve
from bot.actions.settings import action_settings
from tests.helpers.action_fakes import ROOT


def test_importing_the_actions_starts_no_thread():
    code = (
        "import importlib, pkgutil, threading, bot.actions\n"
        "for m in pkgutil.iter_modules(bot.actions.__path__):\n"
        "    importlib.import_module('bot.actions.' + m.name)\n"
        "names = [t.name for t in threading.enumerate()]\n"
        "assert names == ['MainThread'], names\n"
    )
    env = {**os.environ, "SOCIALCARE_WARM_UP": "1"}  # the switch that used to start one at import
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_options_are_those_of_rasa_run_actions_for_our_package():
    args = serve.parse_args(["--port", "5077"])
    assert (args.actions, args.port, args.warm_up, args.auto_reload) == ("bot.actions", 5077, True, False)
    assert serve.parse_args(["--no-warm-up", "--actions", "x.y"]).actions == "x.y"
    assert serve.parse_args(["--no-warm-up"]).warm_up is False


def test_main_reads_the_settings_warms_up_then_serves(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path))
    monkeypatch.setattr(serve, "configure_logging", lambda args: calls.append("logging"))
    monkeypatch.setattr(serve, "start_warm_up", lambda: calls.append("warm up"))
    monkeypatch.setattr(serve, "run", lambda *args: calls.append(("run", *args)))
    serve.main(["--port", "5077"])
    assert calls == ["logging", "warm up", ("run", "bot.actions", 5077, None, None, None, None, False)]
    assert action_settings().knowledge_dir == tmp_path
    calls.clear()
    serve.main(["--port", "5077", "--no-warm-up"])
    assert "warm up" not in calls


def test_the_warm_up_runs_in_a_daemon_thread(monkeypatch):
    ran = []
    monkeypatch.setattr(serve, "warm_up", lambda: ran.append(True))
    thread = serve.start_warm_up()
    thread.join(timeout=10)
    assert ran == [True] and thread.daemon and thread.name == serve.WARM_UP_THREAD
