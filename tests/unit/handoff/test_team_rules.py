"""Business hours, wait estimates, priorities, SLA, messaging windows, CSAT, suggestions."""
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from handoff.config import TeamConfigError, parse_team_config
from handoff.csat import parse_rating
from handoff.hours import is_open, next_opening
from handoff.priority import effective_priority, sla_deadline, ticket_priority
from handoff.reasons import at_or_below, flag, scored
from handoff.routes import HandoffPolicy
from handoff.suggest import suggest_answers
from handoff.tickets import Ticket
from handoff.triggers import has_reach, is_vip
from handoff.wait import estimate_wait, wait_message
from handoff.window import messaging_window

ROOT = Path(__file__).resolve().parents[3]
CONFIG = parse_team_config({
    "business_hours": {"time_zone": "Europe/London", "days": {
        "mon": ["08:00", "18:00"], "tue": ["08:00", "18:00"], "wed": ["08:00", "18:00"],
        "thu": ["08:00", "18:00"], "fri": ["08:00", "18:00"], "sat": ["10:00", "14:00"], "sun": None}},
    "queue": {"sla_minutes": {1: 15, 2: 30, 3: 60, 4: 240}, "minutes_per_ticket": 8, "ageing_minutes": 30},
})


def ts(y, mo, d, h, mi=0, tz="Europe/London"):
    from zoneinfo import ZoneInfo
    return dt.datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(tz)).timestamp()


def test_project_file_parses():
    config = parse_team_config(yaml.safe_load((ROOT / "bot" / "handoff.yml").read_text()))
    assert config.time_zone == "Europe/London" and set(config.hours) == set(range(7))
    assert config.sla_minutes[1] < config.sla_minutes[4]


@pytest.mark.parametrize("bad", [
    {"business_hours": {"days": {"funday": ["08:00", "18:00"]}}},
    {"business_hours": {"days": {"mon": ["18:00", "08:00"]}}},
    {"business_hours": {"days": {"mon": ["8am", "6pm"]}}},
    {"queue": {"sla_minutes": {1: 15}}},
])
def test_malformed_team_config_is_rejected(bad):
    with pytest.raises(TeamConfigError):
        parse_team_config(bad)


def test_business_hours_per_weekday_in_the_team_time_zone():
    assert is_open(ts(2026, 12, 1, 9), CONFIG)            # Tuesday 09:00 London
    assert not is_open(ts(2026, 12, 1, 19), CONFIG)       # Tuesday 19:00
    assert is_open(ts(2026, 12, 5, 11), CONFIG)           # Saturday 11:00
    assert not is_open(ts(2026, 12, 6, 11), CONFIG)       # Sunday: closed
    # Saturday 15:00 -> Monday 08:00
    assert next_opening(ts(2026, 12, 5, 15), CONFIG) == ts(2026, 12, 7, 8)
    # Summer time: 09:00 BST is 08:00 UTC
    assert is_open(ts(2026, 7, 1, 8, tz="UTC"), CONFIG) and not is_open(ts(2026, 7, 1, 6, 30, tz="UTC"), CONFIG)


def test_wait_estimate_from_queue_and_agents_or_the_opening_time():
    open_now = ts(2026, 12, 1, 9)
    est = estimate_wait(open_now, ahead=3, agents_online=2, config=CONFIG)
    assert (est.kind, est.minutes) == ("wait", 20)        # ceil(4/2)*8 = 16 -> 20
    assert "3 people ahead of you" in wait_message(est) and "about 20 minutes" in wait_message(est)
    assert estimate_wait(open_now, 0, 1, CONFIG).minutes == 8
    assert "You're next" in wait_message(estimate_wait(open_now, 0, 1, CONFIG))
    assert estimate_wait(open_now, 2, 0, CONFIG).kind == "busy"
    closed = estimate_wait(ts(2026, 12, 5, 15), 0, 3, CONFIG)
    assert closed.kind == "closed" and closed.opens == "on Monday at 08:00 (UK time)"
    assert "will reply here on Monday at 08:00 (UK time)" in wait_message(closed)
    assert estimate_wait(ts(2026, 12, 1, 19), 0, 0, CONFIG).opens == "tomorrow at 08:00 (UK time)"


def test_priority_from_reason_tier_reach_and_sentiment():
    route = [scored("route", "diagnostic:report_lost_bag", 0.97)]
    gold_vip = HandoffPolicy(vip_tiers=("gold",))
    assert ticket_priority(route, CONFIG) == 3
    assert ticket_priority(route, CONFIG, vip=is_vip("gold", gold_vip)) == 2
    assert ticket_priority(route, CONFIG, reach=has_reach(50000, HandoffPolicy(reach_followers=10000))) == 2
    assert ticket_priority(route, CONFIG, sentiment=-0.8) == 2
    assert ticket_priority([scored("urgency", "safety", 0.95)], CONFIG) == 1
    assert ticket_priority([at_or_below("frustration", -0.9, -0.5)], CONFIG, vip=is_vip("gold", gold_vip),
                           sentiment=-0.9) == 1
    assert ticket_priority([flag("no_knowledge", "ask_pets")], CONFIG) == 4


def test_a_vip_or_reach_reason_is_not_counted_twice():
    assert ticket_priority([scored("vip", "gold", 1.0)], CONFIG, vip=True) == 2
    assert ticket_priority([flag("reach", "20000>=10000")], CONFIG, reach=True) == 2


def test_sla_deadline_counts_from_opening_time_and_waiting_raises_priority():
    tuesday_9 = ts(2026, 12, 1, 9)
    assert sla_deadline(1, tuesday_9, CONFIG) == tuesday_9 + 15 * 60
    assert sla_deadline(3, ts(2026, 12, 1, 20), CONFIG) == ts(2026, 12, 2, 8) + 60 * 60
    ticket = Ticket(id="t", sender_id="s", channel="rest", priority=4, created_at=tuesday_9)
    assert effective_priority(ticket, tuesday_9 + 29 * 60, CONFIG) == 4
    assert effective_priority(ticket, tuesday_9 + 61 * 60, CONFIG) == 2
    assert effective_priority(ticket, tuesday_9 + 10 * 3600, CONFIG) == 1


def test_messenger_window_standard_then_human_agent_tag_then_closed():
    last = 1_000_000.0
    assert messaging_window("messenger", last, last + 3600, CONFIG).state == "standard"
    tagged = messaging_window("messenger", last, last + 25 * 3600, CONFIG)
    assert (tagged.open, tagged.tag) == (True, "HUMAN_AGENT")
    closed = messaging_window("messenger", last, last + 7 * 86400 + 1, CONFIG, alternatives=("twitter_dm",))
    assert not closed.open and closed.alternatives == ("twitter_dm",) and "closed" in closed.reason
    assert messaging_window("twitter_mention", last, last + 30 * 86400, CONFIG).open


@pytest.mark.parametrize("text,score", [("5", 5), (" 4/5 ", 4), ("3 stars", 3), ("five", 5), ("⭐⭐", 2),
                                        ("1!", 1), ("6", None), ("4 bags lost", None), ("", None), ("K7P2QX", None)])
def test_csat_answers(text, score):
    assert parse_rating(text) == score


def test_knowledge_suggestions_rank_the_matching_entry_first():
    entries = [
        SimpleNamespace(id="delayed_bag", intent="ask_delayed_bag", answer="File a report...", short_answer="",
                        questions=("My bag did not arrive", "Where is my delayed baggage?"), tags=("baggage",)),
        SimpleNamespace(id="pets", intent="ask_pets", answer="Pets...", short_answer="",
                        questions=("Can I bring my dog?",), tags=("pets",)),
    ]
    found = suggest_answers(["my bag never arrived in Dublin"], entries)
    assert [f["id"] for f in found] == ["delayed_bag"] and 0 < found[0]["score"] <= 1
    assert suggest_answers(["hello"], entries) == []
