"""Urgency markers: safety, injury, legal, nobody answers, vulnerable customers."""
import pytest

from bot.components.triage.urgency import (
    CATEGORIES,
    UrgencyResult,
    combine,
    detect_urgency,
    normalise,
)

POSITIVE = [
    # safety
    ("there is smoke in the cabin!!", "safety"),
    ("SMOKE coming out of the overhead bin on AU451", "safety"),
    ("smell of burning on board, crew not saying anything", "safety"),
    ("engine on fire, we're turning back", "safety"),
    ("engine 🔥🔥 wtf", "safety"),
    ("someone's power bank caught fire in row 12", "safety"),
    ("plane is on 🔥", "safety"),
    ("bomb threat reported at the gate, everyone evacuated", "safety"),
    ("we just made an emergency landing in Shannon", "safety"),
    ("#EmergencyLanding scariest flight of my life", "safety"),
    ("this aircraft is unsafe, the door seal is broken", "safety"),
    ("oxygen masks dropped and nobody explained anything", "safety"),
    ("severe turbulence and my wife hit her head on the ceiling", "safety"),
    ("turbulence was so bad people got injured", "safety"),
    ("a passenger groped me and the crew did nothing", "safety"),
    ("I smelt fuel in the cabin", "safety"),
    ("SMOKEEEE in the cabin!!!", "safety"),
    # injury
    ("my son is hurt, he fell in the aisle", "injury"),
    ("I was injured by a falling bag from the overhead bin", "injury"),
    ("my dad is bleeding after the trolley hit him", "injury"),
    ("wife had an allergic reaction to the meal", "injury"),
    ("my daughter fainted at the gate", "injury"),
    ("need an ambulance at gate B12", "injury"),
    ("🚑🚑 at gate 4 nobody from aurora there", "injury"),
    ("crew spilled hot coffee on my baby, she has a burn", "injury"),
    ("got a burn from a hot drink the attendant dropped", "injury"),
    ("burnt my hand on the scalding tea", "injury"),
    ("my husband collapsed on the jet bridge", "injury"),
    ("ambulence called for my mum", "injury"),
    ("my son is bleding from his nose", "injury"),
    ("she is bleeeeeding", "injury"),
    ("INJURED!!! nobody cares", "injury"),
    ("he went into anaphylactic shock on the plane", "injury"),
    ("my grandma was taken to hospital after the flight", "injury"),
    ("Can you call an ambulance? My wife fainted", "injury"),
    ("the trolley ran over my foot, i think my toe is broken", "injury"),
    # legal
    ("I'm calling my lawyer", "legal"),
    ("expect to hear from my laywer", "legal"),
    ("I will sue you for this", "legal"),
    ("going to sue aurora air", "legal"),
    ("see you in small claims court", "legal"),
    ("#lawsuit incoming", "legal"),
    ("#LegalAction if I don't get my refund", "legal"),
    ("I'll file a chargeback with my bank", "legal"),
    ("doing a charge-back on my card", "legal"),
    ("disputing the charge with my bank", "legal"),
    ("complaining to the CAA about this", "legal"),
    ("reported you to the regulator", "legal"),
    ("taking this to the ombudsman", "legal"),
    ("my attorney will be in touch", "legal"),
    ("can i sue you for losing my bag?", "legal"),
    # nobody answers
    ("no one answers the phone!!!", "no_answer"),
    ("been on hold for 3 hours", "no_answer"),
    ("been on hold for hours", "no_answer"),
    ("this is the third time asking for my refund", "no_answer"),
    ("3rd time asking, where is my bag", "no_answer"),
    ("still no reply to my email from last week", "no_answer"),
    ("you ignored my emails for 2 weeks", "no_answer"),
    ("nobody is responding to my DMs", "no_answer"),
    ("noone ever gets back to me", "no_answer"),
    ("can't get through to anyone on your helpline", "no_answer"),
    ("this is my 4th email about this", "no_answer"),
    ("#noreply from @AuroraAir", "no_answer"),
    ("why do you keep ignoring me", "no_answer"),
    ("never heard back about my claim", "no_answer"),
    # vulnerable
    ("my mum's wheelchair was left behind in Dublin", "vulnerable"),
    ("they broke my wheelchair", "vulnerable"),
    ("♿ not there when we landed, been waiting 40 minutes", "vulnerable"),
    ("unaccompanied minor stranded at the gate, nobody from aurora there", "vulnerable"),
    ("my 9 year old is stuck alone at the airport after the cancellation", "vulnerable"),
    ("I'm 8 months pregnant and stranded at the airport overnight", "vulnerable"),
    ("elderly mother with dementia left alone at the gate", "vulnerable"),
    ("my blind father was left on the plane, no assistance came", "vulnerable"),
]

NEGATIVE = [
    "can I bring a medical device on board?",
    "can i bring my epipen in hand luggage",
    "what if I have an allergic reaction on board?",
    "do you allow wheelchairs in the cabin?",
    "can I fly when I'm 30 weeks pregnant?",
    "my 10 year old is flying alone next month, what do I need?",
    "Is there an age limit for unaccompanied minors?",
    "what happens in an emergency landing?",
    "is smoking allowed on the plane?",
    "where is the smoking area in the terminal?",
    "can I bring my fire tablet on the flight",
    "my kindle fire is in my checked bag",
    "the crew was fire today 🔥🔥 thanks",
    "this flight was 🔥",
    "you guys are on fire today, great service",
    "you should fire whoever designed this app",
    "my flight got cancelled because of the wildfires",
    "minor delay but we're stuck at the gate",
    "AU451 delayed again???",
    "how big can my cabin bag be",
    "my son lost his phone on the plane, can you help find it?",
    "please ignore my previous message",
    "my booking is on hold for 24 hours right?",
    "can I put my reservation on hold for 3 days?",
    "hi, I'm Sue, booking ref K7P2QX",
    "flying to see Sue's family next week",
    "thank you for the lovely flight!",
    "ok",
    "K7P2QX",
    "",
    "🔥",
    "my second flight with you this month, love it",
    "I'm insured, do I still need to buy your cover?",
    "the report was evaluated by your team",
    "what a stroke of luck, upgraded to business!",
    "the window blind is stuck",
    "this deal is the bomb",
    "can I bring an e-cigarette? I don't want to smoke",
    "legal limit for liquids in hand luggage?",
    "hot drinks on board?",
    "do pregnant women need a doctor's letter?",
    "assistance for a passenger with a broken leg",
    "a crew member ignored me when I asked for water",
    "my ears hurt on landing, is that normal?",
    "I'm sick of waiting for my refund",
    "are lithium batteries allowed in checked luggage?",
    "I'm a nervous flyer, is turbulence dangerous?",
    "nobody told us the flight was delayed",
    "gate agent was amazing with my autistic son, thank you!",
    "my mum has dementia, can someone meet her at arrival next week?",
]


@pytest.mark.parametrize(("text", "category"), POSITIVE)
def test_markers_are_found(text, category):
    result = detect_urgency(text)
    assert category in result.categories, (text, result)
    assert 0.0 < result.score <= 1.0


@pytest.mark.parametrize("text", NEGATIVE)
def test_no_false_alarm(text):
    result = detect_urgency(text)
    assert result == UrgencyResult(), (text, result)


def test_several_categories_raise_the_score():
    one = detect_urgency("my son was injured by a falling bag")
    two = detect_urgency("my son was injured by a falling bag and I'm calling my lawyer")
    assert one.categories == ("injury",)
    assert two.categories == ("injury", "legal")
    assert two.score > one.score
    assert two.score == pytest.approx(combine([0.9, 0.85]), abs=1e-4)


def test_categories_come_in_a_fixed_order_and_json_shape():
    result = detect_urgency("lawyer!! there is smoke in the cabin, nobody answers")
    assert result.categories == tuple(c for c in CATEGORIES if c in result.categories)
    assert result.categories == ("safety", "legal", "no_answer")
    assert result.as_dict() == {"categories": ["safety", "legal", "no_answer"], "score": result.score}
    assert result.urgent


def test_policy_question_sentence_is_ignored_but_incident_sentence_counts():
    result = detect_urgency("Can I bring a medical device? Last flight my son fainted and nobody helped.")
    assert "injury" in result.categories


def test_combine_is_a_noisy_or_in_unit_range():
    assert combine([]) == 0.0
    assert combine([1.0, 0.5]) == 1.0
    assert combine([0.5, 0.5]) == pytest.approx(0.75)
    assert combine([2.0]) == 1.0


def test_normalise_handles_hashtags_emojis_handles_and_typos():
    assert normalise("@AuroraAir #LegalAction 🚑 AMBULENCE!!!") == "legal action ambulance ambulance!!!"
    assert normalise("#SmallClaims") == "small claims"
    assert normalise("heeeelp nooooo") == "help no"


def test_only_the_start_of_a_very_long_message_is_read():
    assert detect_urgency("fine " * 2000 + "there is smoke in the cabin") == UrgencyResult()
    assert detect_urgency("there is smoke in the cabin " + "fine " * 2000).categories == ("safety",)
