"""The pure parts of `make chaos`: counting lost and duplicated answers from the sandbox's
records, picking scenarios by name, the malformed batches, the table."""
from __future__ import annotations

import json

import pytest

from sandbox.payloads import customer
from socialcare.bench.chaos import build_parser, main
from socialcare.bench.chaos_batches import BATCHES, DEEP_NESTING, build_batches
from socialcare.bench.chaos_scenarios import SCENARIOS
from socialcare.bench.chaos_tally import (
    ScenarioResult,
    Sent,
    markdown,
    select,
    sent_from_inbound,
    slowest_answer_s,
    status_counts,
    tally,
)


def reply(name, text, at, status=200, seq=0):
    return {"customer": name, "text": text, "at": at, "status": status, "seq": seq, "platform": "facebook"}


def test_an_answer_counts_for_the_latest_message_before_it():
    sent = [Sent("a", 0.0), Sent("a", 5_000.0), Sent("b", 0.0)]
    outbound = [reply("a", "hi", 1_000), reply("a", "hi", 6_000), reply("b", "hi", 500)]
    figures = tally(sent, outbound, deadline_s=60)
    assert (figures.sent, figures.answered, figures.lost, figures.duplicated) == (3, 3, 0, 0)


def test_a_message_without_an_answer_in_time_is_lost():
    sent = [Sent("a", 0.0), Sent("b", 0.0), Sent("c", 0.0)]
    outbound = [reply("a", "late", 61_000),  # past the deadline
                reply("b", "refused", 100, status=429),  # not delivered
                {"customer": "c", "text": None, "at": 10, "status": 200},  # a typing indicator
                reply("nobody", "x", 10)]
    figures = tally(sent, outbound, deadline_s=60)
    assert (figures.answered, figures.lost) == (0, 3)


def test_the_same_answer_twice_for_one_message_is_a_duplicate():
    sent = [Sent("a", 0.0), Sent("a", 10_000.0)]
    outbound = [reply("a", "booked", 1_000), reply("a", "booked", 13_000, seq=2), reply("a", "booked", 13_500, seq=3),
                reply("a", "booked", 14_000, seq=4)]
    figures = tally(sent, outbound, 60)
    assert (figures.answered, figures.duplicated) == (2, 2)
    # two different texts for one message are one answer in two parts, not a duplicate
    assert tally([Sent("b", 0.0)], [reply("b", "one", 1), reply("b", "two", 2)], 60).duplicated == 0


def test_messages_posted_outside_the_sandbox_take_any_later_answer():
    figures = tally([Sent("a"), Sent("b")], [reply("a", "ok", 99_000)], deadline_s=1)
    assert (figures.answered, figures.lost) == (1, 1)


def test_sent_from_the_sandbox_deliveries_and_status_counts():
    inbound = [{"customer": "a", "posted_at": 3.0}, {"customer": "z", "posted_at": 1.0}]
    assert sent_from_inbound(inbound, ["a"]) == [Sent("a", 3.0)]
    assert status_counts([200, 200, None, "timeout", 429]) == {"200": 2, "429": 1, "None": 1, "timeout": 1}


def test_scenarios_are_picked_by_name_in_their_order():
    known = list(SCENARIOS)
    assert select([], known) == known and select(["all"], known) == known
    assert select(["malformed,kill_consumer"], known) == ["kill_consumer", "malformed"]
    assert select(["two_authors", "redis_pause"], known) == ["redis_pause", "two_authors"]
    with pytest.raises(ValueError, match="nope"):
        select(["nope"], known)
    assert set(known) == {"kill_consumer", "redis_restart", "redis_pause", "rate_limit_storm",
                          "slow_platform", "malformed", "two_authors"}


def test_the_cli_lists_and_refuses_unknown_scenarios(capsys):
    assert main(["--list"]) == 0
    assert "rate_limit_storm" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stopped:
        main(["--scenarios", "bogus"])
    assert stopped.value.code == 2
    args = build_parser().parse_args([])
    assert (args.retry_after, args.x_reset, args.late_s, args.pause_s, args.rasa_consumers) == (60, 120, 12, 30, 1)


def _batches():
    return {b.name: b for b in build_batches("t", "100", "1000", 1_700_000_000_000)}


def test_every_malformed_batch_is_well_formed_json_with_good_items_beside_the_bad_one():
    batches = _batches()
    assert set(batches) == set(BATCHES)
    for batch in batches.values():
        raw = batch.raw
        if batch.name == "messenger_deep_json":
            deep = b"[" * DEEP_NESTING + b"]" * DEEP_NESTING
            assert raw.count(deep) == 1
            raw = raw.replace(deep, b"0")
        body = json.loads(raw)  # strict JSON (no NaN, ASCII only)
        assert raw.isascii() and batch.good and batch.platform in ("facebook", "twitter")
        assert batch.platform == ("facebook" if body.get("object") == "page" else "twitter")


def test_the_bad_item_of_each_batch_is_the_fault_it_names():
    batches = _batches()
    items = json.loads(batches["messenger_no_sender"].raw)["entry"][0]["messaging"]
    assert [("sender" in i) for i in items] == [True, False, True]
    surrogate = batches["messenger_lone_surrogate"]
    assert b"\\ud800" in surrogate.raw
    texts = [i["message"]["text"] for i in json.loads(surrogate.raw)["entry"][0]["messaging"]]
    assert "\ud800" in texts[1] and texts[0].isprintable()
    dms = json.loads(batches["x_dm_media_list"].raw)["direct_message_events"]
    assert isinstance(dms[1]["message_create"]["message_data"]["attachment"]["media"], list)
    assert "attachment" not in dms[0]["message_create"]["message_data"]
    posts = batches["x_user_without_id_str"]
    users = [t["user"] for t in json.loads(posts.raw)["tweet_create_events"]]
    assert "id_str" in users[0] and "id_str" not in users[1] and "id" in users[1]
    assert sorted(posts.posts.values()) == sorted([*posts.good, *posts.bad])
    assert users[0]["id_str"] == customer(posts.good[0]).x_user_id


def test_the_table_has_a_row_per_scenario():
    result = ScenarioResult("redis_pause", "Redis SIGSTOP", webhook_statuses={"200": 4},
                            platform_statuses={"facebook 429": 2}, notes=["a | b"])
    result.count(tally([Sent("a", 0.0)], [], 60))
    table = markdown([result, ScenarioResult("malformed", "batches", error="boom")])
    lines = table.splitlines()
    assert len(lines) == 4
    assert lines[2] == "| redis_pause | Redis SIGSTOP | 1 | 0 | 1 | 0 | 200×4 | facebook 429×2 | a / b |"
    assert "error: boom" in lines[3]
    assert json.loads(json.dumps(result.as_json()))["lost"] == 1


def test_the_slowest_answer_is_timed_from_its_post():
    sent = [Sent("a", 1_000.0), Sent("b", 0.0), Sent("c", 0.0), Sent("d")]
    outbound = [reply("a", "x", 3_000), reply("a", "y", 9_000), reply("b", "x", 121_500), reply("d", "x", 5)]
    assert slowest_answer_s(sent, outbound) == 121.5
    assert slowest_answer_s([Sent("c", 0.0)], outbound) is None
