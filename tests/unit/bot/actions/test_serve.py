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
    monkeypatch.setattr(serve, "run", lambda args: calls.append(("run", args.actions, args.port, args.interface)))
    monkeypatch.delenv("SOCIALCARE_BIND_HOST", raising=False)
    serve.main(["--port", "5077"])
    assert calls == ["logging", "warm up", ("run", "bot.actions", 5077, "127.0.0.1")]
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


def test_the_interface_defaults_to_loopback_and_follows_the_bind_host(monkeypatch):
    calls = []
    monkeypatch.setattr(serve, "configure_logging", lambda args: None)
    monkeypatch.setattr(serve, "run", lambda args: calls.append(args.interface))
    assert serve.parse_args([]).interface == "127.0.0.1"
    assert serve.parse_args(["-i", "10.0.0.5"]).interface == "10.0.0.5"
    monkeypatch.setenv("SOCIALCARE_BIND_HOST", "0.0.0.0")
    serve.main(["--no-warm-up"])
    monkeypatch.setenv("SOCIALCARE_BIND_HOST", "127.0.0.1")
    serve.main(["--no-warm-up", "--interface", "::1"])
    assert calls == ["0.0.0.0", "::1"]


def test_a_public_interface_is_logged_as_unauthenticated(monkeypatch, caplog):
    served = []

    class FakeApp:
        def run(self, host, port, **kwargs):
            served.append((host, port))

    monkeypatch.setattr(serve, "create_app", lambda *a, **k: FakeApp())
    with caplog.at_level("WARNING", logger="bot.actions.serve"):
        serve.run(serve.parse_args(["--port", "5099", "-i", "0.0.0.0"]))
        assert "unauthenticated" in caplog.text
        caplog.clear()
        serve.run(serve.parse_args(["--port", "5099"]))
        assert "unauthenticated" not in caplog.text
    assert served == [("0.0.0.0", 5099), ("127.0.0.1", 5099)]
