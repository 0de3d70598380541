"""Pure shaping of tickets for the API: queue rows, SLA timers, dossier picks, health."""
from console.users import User
from console.views import (
    agents_view,
    customer_label,
    queue_health,
    suggestions,
    ticket_detail,
    ticket_summary,
    trainer_rows,
)
from handoff.config import TeamConfig
from handoff.reasons import reasons_from_slot
from handoff.tickets import Ticket, TranscriptTurn

NOW = 1_800_000_000.0


def ticket(**changes):
    values = dict(
        id="t-1", sender_id="psid-123456789", channel="messenger", priority=3, sla_deadline=NOW + 600,
        reasons=reasons_from_slot(["route:diagnostic:report_lost_bag@0.97", "frustration:-0.62<=-0.50"]),
        created_at=NOW - 120,
        dossier={"summary": {"headline": "Dana: lost bag.", "lines": ["“bag gone”"], "text": "Dana: lost bag.\n“bag gone”"},
                 "profile": {"display_name": "Dana"},
                 "knowledge": [{"id": "bags", "intent": "report_lost_bag", "answer": "Long answer.",
                                "short_answer": "Short.", "score": 0.5}]},
    )
    values.update(changes)
    return Ticket(**values)


def test_queue_row_has_sla_timer_priority_and_reasons():
    row = ticket_summary(ticket(), NOW)
    assert row["customer"] == "Dana" and row["summary"] == "Dana: lost bag."
    assert row["sla"] == {"deadline": NOW + 600, "remaining_s": 600.0, "breached": False}
    assert row["waiting_s"] == 120.0 and row["effective_priority"] == 3
    assert [r["code"] for r in row["reasons"]] == ["route", "frustration"]
    late = ticket_summary(ticket(sla_deadline=NOW - 5), NOW)
    assert late["sla"]["breached"] and late["sla"]["remaining_s"] == -5.0
    done = ticket_summary(ticket(status="resolved"), NOW)
    assert done["sla"]["remaining_s"] is None and not done["sla"]["breached"]


def test_waiting_raises_the_effective_priority():
    team = TeamConfig(ageing_minutes=30)
    row = ticket_summary(ticket(created_at=NOW - 65 * 60), NOW, team)
    assert row["priority"] == 3 and row["effective_priority"] == 1


def test_customer_label_falls_back_to_channel_and_short_id():
    assert customer_label(ticket(dossier={})) == "messenger customer 456789"
    assert customer_label(ticket(dossier={"profile": {"handle": "@dana"}})) == "@dana"


def test_suggestions_use_the_short_answer_in_public():
    dossier = ticket().dossier
    assert suggestions(dossier, "messenger")[0]["text"] == "Long answer."
    assert suggestions(dossier, "twitter_mention")[0]["text"] == "Short."
    assert suggestions({"knowledge": "nonsense"}) == []


def test_detail_carries_dossier_transcript_window_and_history():
    turn = TranscriptTurn("customer", "any news?", NOW - 10, channel="messenger")
    detail = ticket_detail(ticket(), [("1-0", turn)], NOW, {"open": True, "state": "standard"})
    assert detail["transcript"][0]["entry_id"] == "1-0" and detail["transcript"][0]["text"] == "any news?"
    assert detail["window"]["state"] == "standard" and detail["dossier"]["profile"]["display_name"] == "Dana"
    assert detail["suggestions"][0]["id"] == "bags"


def test_queue_health_and_agents():
    open_tickets = [ticket(id="a", priority=1, sla_deadline=NOW - 1), ticket(id="b", created_at=NOW - 900)]
    claimed = [ticket(id="c", status="claimed", owner="ann")]
    health = queue_health(open_tickets, claimed, NOW)
    assert health["open"] == 2 and health["claimed"] == 1 and health["sla_breached"] == 1
    assert health["open_by_priority"] == {"urgent": 1, "normal": 1} and health["longest_wait_s"] == 900.0
    users = [User("ann", "agent"), User("bob", "agent"), User("tia", "trainer"), User("sam", "supervisor")]
    rows = agents_view(["ann", "sam"], users, claimed)
    assert [(r["name"], r["online"], r["claimed"]) for r in rows] == [("ann", True, 1), ("sam", True, 0), ("bob", False, 0)]


def test_trainer_rows_pick_low_confidence_customer_turns():
    dossier = {"transcript": [
        {"speaker": "customer", "text": "hmm the thing", "timestamp": NOW - 50, "intent": "greet", "confidence": 0.3},
        {"speaker": "bot", "text": "Sorry?", "timestamp": NOW - 49},
        {"speaker": "customer", "text": "flight AU451", "timestamp": NOW - 40, "intent": "flight_status", "confidence": 0.95},
    ]}
    rows = trainer_rows([ticket(dossier=dossier)], threshold=0.6)
    assert [(r["text"], r["intent"]) for r in rows] == [("hmm the thing", "greet")]
    assert rows[0]["reasons"] == ["frustration", "route"]


def test_roles_and_permissions():
    assert User("a", "agent").can("tickets:work") and not User("a", "agent").can("supervisor")
    assert User("t", "trainer").can("trainer") and not User("t", "trainer").can("tickets:work")
    assert all(User("s", "supervisor").can(p) for p in ("tickets:work", "tickets:any", "supervisor", "trainer"))
    assert not User("x", "unknown").permissions
