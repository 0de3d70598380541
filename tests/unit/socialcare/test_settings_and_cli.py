"""Settings from the environment, the route CLI's input checks, the fast training config."""
import io
import json

import pytest

from connectors.channels import channel_kind
from core.settings import SettingsError, parse_redis_url
from handoff.triggers import Decision
from socialcare.bench.evaluation import LabelledText, summarise
from socialcare.route import RouteInputError, parse_request, route_stream
from socialcare.settings import Settings, rasa_environment
from socialcare.training import fast_config


def test_redis_url_is_split_for_rasa():
    target = parse_redis_url("redis://:s3cret@cache.internal:6380/2")
    assert (target.host, target.port, target.db, target.password) == ("cache.internal", 6380, 2, "s3cret")
    assert "s3cret" not in repr(target)


def test_bad_settings_are_clear_errors():
    with pytest.raises(SettingsError):
        parse_redis_url("http://x")
    with pytest.raises(SettingsError):
        Settings.from_env({"RASA_PORT": "abc"})
    with pytest.raises(SettingsError):
        Settings.from_env({"REDIS_KEY_PREFIX": "a:b"})


def test_embedded_redis_is_the_default_and_token_is_hidden():
    settings = Settings.from_env({"RASA_TOKEN": "tok"})
    assert settings.redis_target().host == "127.0.0.1"
    assert "tok" not in repr(settings)
    env = rasa_environment(settings, settings.redis_target())
    assert env["REDIS_PORT"] == "6390" and env["ACTION_ENDPOINT_URL"].endswith(":5055/webhook")


@pytest.mark.parametrize(
    "line",
    ['not json', '[1]', '{"text": ""}', '{"text": "hi", "channel": "fax"}', '{"channel": "messenger"}'],
)
def test_route_input_errors(line):
    with pytest.raises(RouteInputError):
        parse_request(line)


def test_route_input_default_channel():
    assert parse_request('{"text": "hi"}') == {"text": "hi", "channel": "twitter_dm"}


class FakeAgent:
    """Stands in for Rasa's Agent: a fixed parse per text."""

    async def parse_message(self, text):
        intent = "report_lost_bag" if "bag" in text else "greet"
        return {"intent": {"name": intent, "confidence": 0.9}, "sentiment": {"compound": 0.0}}


@pytest.mark.asyncio
async def test_route_stream_keeps_order_and_reports_bad_lines():
    lines = io.StringIO('{"text": "hello"}\n{bad\n{"text": "my bag is gone", "channel": "messenger"}\n')
    out = io.StringIO()
    errors = await route_stream(FakeAgent(), lines, out)
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert errors == 1
    assert [r.get("intent") for r in rows] == ["greet", None, "report_lost_bag"]
    assert rows[1]["line"] == 2 and "invalid JSON" in rows[1]["error"]
    assert rows[2]["handoff"] is True and rows[0]["handoff"] is False


def test_fast_config_only_lowers_epochs():
    config = {"pipeline": [{"name": "DIETClassifier", "epochs": 100}, {"name": "X"}],
              "policies": [{"name": "TEDPolicy", "epochs": 10}]}
    fast = fast_config(config, {"DIETClassifier": 40, "TEDPolicy": 25})
    assert fast["pipeline"][0]["epochs"] == 40 and fast["policies"][0]["epochs"] == 10
    assert config["pipeline"][0]["epochs"] == 100


def test_channel_kind():
    assert channel_kind("twitter", {"public": True}) == "twitter_mention"
    assert channel_kind("twitter", None) == "twitter_dm"
    assert channel_kind("facebook", {}) == "messenger"
    assert channel_kind("rest", {"channel": "messenger"}) == "messenger"
    assert channel_kind("rest", None) == "rest"


def test_eval_summary_shares():
    rows = [LabelledText("a", "negative", 1.0), LabelledText("b", "negative", 0.9),
            LabelledText("c", "positive", 1.0), LabelledText("d", "negative", 0.5)]
    def d(h, route):
        return Decision("i", 1.0, route, h)
    report = summarise(rows, [d(True, "diagnostic"), d(False, "feedback"), d(False, "feedback"), d(True, "feedback")], 0.8)
    assert (report.negative_n, report.negative_handoff) == (2, 0.5)
    assert (report.positive_n, report.positive_handoff) == (1, 0.0)
    assert report.routes == {"diagnostic": 0.25, "feedback": 0.75}


def test_eval_handoff_and_route_accuracy():
    rows = [LabelledText("a", "negative", 1.0, "Lost Luggage"),      # expects diagnostic
            LabelledText("b", "negative", 1.0, "Late Flight"),       # diagnostic or feedback
            LabelledText("c", "negative", 1.0, "Bad Flight"),        # no route implied
            LabelledText("d", "positive", 1.0),                      # feedback or chitchat
            LabelledText("e", "positive", 0.4)]                      # not confident: ignored
    def d(h, route):
        return Decision("i", 1.0, route, h)
    decisions = [d(True, "feedback"), d(True, "feedback"), d(False, "informational"),
                 d(False, "chitchat"), d(True, "diagnostic")]
    report = summarise(rows, decisions, 0.8)
    assert report.handoff_accuracy == 0.75  # 2 of 3 negatives handed off, the positive kept
    assert (report.route_n, report.route_accuracy) == (3, 2 / 3)
    assert any(line.startswith("route accuracy") for line in report.lines())
