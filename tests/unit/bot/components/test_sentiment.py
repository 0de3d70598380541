"""Social-media sentiment: lexicon plus complaint, sarcasm and request corrections."""
import pytest

from bot.components.sentiment.model import SocialSentiment, combine, is_calm_request, normalise


@pytest.fixture(scope="module")
def scorer():
    return SocialSentiment()


def test_normalise_strips_handles_links_and_splits_hashtags():
    assert normalise("@AuroraAir see http://x.co/a #NeverAgain #FAIL") == "see Never Again FAIL"


@pytest.mark.parametrize(
    "text",
    [
        "great, another delay, thanks a lot 🙄",
        "been on hold for 2 hours and nobody answers",
        "flight CANCELLED again #fail",
        "why is my flight delayed again???",
        "where is my bag??? 3 days now",
        "my flight was cancelled and nobody told me",
    ],
)
def test_complaints_score_negative(scorer, text):
    assert scorer.score(text).compound <= -0.3


def test_sarcasm_flips_praise_words(scorer):
    result = scorer.score("wow great job losing my bag again 🙄")
    assert result.sarcasm and result.lexicon_compound > result.compound


@pytest.mark.parametrize("text", ["great job losing my suitcase 👏", "nice work damaging my stroller",
                                  "gotta love how the app crashes every time"])
def test_sarcasm_about_any_failure_is_caught(scorer, text):
    assert scorer.score(text).sarcasm and scorer.score(text).compound <= -0.5


def test_real_praise_is_not_read_as_sarcasm(scorer):
    assert not scorer.score("great job by the crew today, thank you!").sarcasm


@pytest.mark.parametrize("text", ["thank you for the lovely flight! crew were amazing 😍", "love you guys ✈️"])
def test_praise_scores_positive(scorer, text):
    assert scorer.score(text).compound >= 0.5


def test_plain_question_is_neutral(scorer):
    assert abs(scorer.score("how big can my cabin bag be").compound) < 0.2


@pytest.mark.parametrize(
    "text",
    [
        "cancel my booking",
        "where is my delayed bag",
        "is my flight delayed?",
        "can I rebook my cancelled flight",
        "I'd like a refund for my cancelled flight",
        "my flight was cancelled, how do I get a refund",
        "hi, where can I track my lost bag claim?",
    ],
)
def test_calm_requests_are_not_negative_because_of_domain_words(scorer, text):
    result = scorer.score(text)
    assert result.request
    assert result.compound > -0.1, result


@pytest.mark.parametrize(
    "text",
    ["where is my bag??? 3 days now", "WHERE IS MY BAG", "why is my flight delayed", "cancel my booking, this is a joke",
     "my flight was delayed again"],
)
def test_frustrated_or_plain_statements_are_not_calm_requests(text):
    assert not is_calm_request(normalise(text))


def test_politeness_does_not_lift_a_complaint(scorer):
    result = scorer.score("can you DM me? been on hold for 2 hours. thanks")
    assert result.complaint_markers >= 2 and result.compound <= -0.3


def test_extra_lexicon_from_config():
    assert SocialSentiment({"zorp": -3.0}).score("zorp").compound < 0


def test_blank_text_is_neutral(scorer):
    assert scorer.score("   ").compound == 0.0


def test_combination_and_sarcasm_floor(scorer):
    assert combine(-1.0, 1.0, 0.5) == 0.0
    assert combine(-0.9, -0.9, 0.6) == pytest.approx(-0.9)
    sarcastic = scorer.score("great, another delay 🙄")
    assert scorer.with_head(sarcastic, head=0.9, head_weight=0.6).compound <= -0.5
    result = scorer.with_head(scorer.score("ok"), head=-1.0, head_weight=1.0)
    assert result.compound == -1.0 and result.as_dict()["head"] == -1.0
