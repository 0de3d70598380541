"""The supervisor's receive / consume split (``RASA_CONSUMERS``) and the benchmark's
options and platform-call counts (pure: nothing is started)."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import SettingsError, bind_host
from socialcare.bench.load import outbound_mix
from socialcare.bench.throughput import build_parser
from socialcare.console_plan import ConsolePlan
from socialcare.sandbox_plan import SandboxPlan
from socialcare.settings import Settings
from socialcare.supervisor import ServiceStack, build_children, exposure_warning

MODEL = Path("models/m.tar.gz")


def test_one_rasa_does_both_by_default():
    children = build_children(Settings.from_env({}), MODEL, "tok")
    assert [c.name for c in children] == ["action server", "rasa server"]
    assert "INTAKE_ROLE" not in children[1].env and "--enable-api" in children[1].argv
    # the action server loads knowledge at start: its entry point warms up unless told not to
    assert children[0].argv[1:3] == ["-m", "bot.actions.serve"] and "--no-warm-up" not in children[0].argv


def test_rasa_consumers_split_receive_and_consume():
    settings = Settings.from_env({"RASA_CONSUMERS": "2", "RASA_PORT": "6005", "RASA_CONSUMER_PORT": "6100"})
    rasa, first, second = build_children(settings, MODEL, "tok")[1:]
    assert rasa.env == {"INTAKE_ROLE": "receive"} and rasa.health_url == "http://127.0.0.1:6005/"
    for child, port in ((first, 6100), (second, 6101)):
        assert child.env == {"INTAKE_ROLE": "consume"}
        assert child.health_url == f"http://127.0.0.1:{port}/"
        assert child.argv[child.argv.index("--port") + 1] == str(port)
        assert child.argv[child.argv.index("--model") + 1] == str(MODEL)
        assert "--enable-api" not in child.argv and "tok" not in child.argv
        assert child.argv[1:3] == ["-n", "5"] and child.argv[0].endswith("nice")
    assert first.argv[first.argv.index("--log-file") + 1] != second.argv[second.argv.index("--log-file") + 1]


def test_consumers_without_nice_run_rasa_directly():
    settings = Settings.from_env({"RASA_CONSUMERS": "1", "RASA_CONSUMER_NICE": "0"})
    consumer = build_children(settings, MODEL, "tok")[-1]
    assert consumer.argv[1:3] == ["run", "--model"]


@pytest.mark.parametrize("name, value", [("RASA_CONSUMERS", "-1"), ("RASA_CONSUMERS", "9"),
                                         ("RASA_CONSUMERS", "x"), ("RASA_CONSUMER_NICE", "20")])
def test_consumer_settings_out_of_range(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def _interface(child) -> str:
    return child.argv[child.argv.index("--interface") + 1]


def test_every_server_binds_loopback_by_default():
    settings = Settings.from_env({"RASA_CONSUMERS": "2", "RASA_TOKEN": "tok"})  # no token file written
    children = build_children(settings, MODEL, "tok")
    assert [_interface(c) for c in children] == ["127.0.0.1"] * 4
    assert all(c.health_url.startswith("http://127.0.0.1:") for c in children)
    stack = ServiceStack(settings, MODEL, sandbox=SandboxPlan.off(), console=ConsolePlan.off(), env={})
    assert stack.bind_host == "127.0.0.1" and {_interface(c) for c in stack.children} == {"127.0.0.1"}
    assert exposure_warning("127.0.0.1") is None and exposure_warning("localhost") is None


def test_the_bind_host_opens_every_server_and_warns_loudly():
    settings = Settings.from_env({"RASA_CONSUMERS": "1", "RASA_TOKEN": "tok"})
    stack = ServiceStack(settings, MODEL, sandbox=SandboxPlan.off(), console=ConsolePlan.off(),
                         env={"SOCIALCARE_BIND_HOST": "0.0.0.0"})
    assert {_interface(c) for c in stack.children} == {"0.0.0.0"}
    assert all(c.health_url.startswith("http://127.0.0.1:") for c in stack.children)
    assert "UNAUTHENTICATED" in exposure_warning("0.0.0.0")
    specific = build_children(settings, MODEL, "tok", "10.1.2.3")
    assert all(c.health_url.startswith("http://10.1.2.3:") for c in specific)
    with pytest.raises(SettingsError, match="SOCIALCARE_BIND_HOST"):
        bind_host({"SOCIALCARE_BIND_HOST": "0.0.0.0:5005"})


def test_bench_platform_latency_defaults_to_a_realistic_value():
    args = build_parser().parse_args([])
    assert args.platform_latency_ms == [150.0] and args.rasa_consumers == 0 and args.ack_seconds is None
    assert build_parser().parse_args(["--platform-latency-ms", "150", "0"]).platform_latency_ms == [150.0, 0.0]


def test_outbound_mix_counts_every_platform_call_per_answer():
    calls = [{"customer": "s-cust-1", "operation": "sender_action", "detail": {"action": "mark_seen"}},
             {"customer": "s-cust-1", "operation": "sender_action", "detail": {"action": "typing_on"}},
             {"customer": "s-cust-1", "operation": "send_message"},
             {"customer": "s-cust-2", "operation": "send_message"},
             {"customer": "s-load-1", "operation": "send_message"},
             {"customer": None, "operation": "fault"}]
    assert outbound_mix(calls, "s-cust", 2) == {"mark_seen": 0.5, "send_message": 1.0, "typing_on": 0.5}
    assert outbound_mix(calls, "s-cust", 0) == {}
