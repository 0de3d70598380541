"""Social-media sentiment: lexicon plus complaint and sarcasm corrections."""
import pytest

from bot.components.sentiment.model import SocialSentiment, normalise


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
    ],
)
def test_complaints_score_negative(scorer, text):
    assert scorer.score(text).compound <= -0.3


def test_sarcasm_flips_praise_words(scorer):
    result = scorer.score("wow great job losing my bag again 🙄")
    assert result.sarcasm and result.lexicon_compound > result.compound


@pytest.mark.parametrize("text", ["thank you for the lovely flight! crew were amazing 😍", "love you guys ✈️"])
def test_praise_scores_positive(scorer, text):
    assert scorer.score(text).compound >= 0.5


def test_plain_question_is_neutral(scorer):
    assert abs(scorer.score("how big can my cabin bag be").compound) < 0.2


def test_extra_lexicon_from_config():
    assert SocialSentiment({"zorp": -3.0}).score("zorp").compound < 0
