"""Language detection on short social texts: English, unknown, unsupported."""
import pytest

from bot.components.triage.language import (
    UNKNOWN,
    LanguageDetector,
    LanguageResult,
    english_share,
    words_of,
)


@pytest.fixture(scope="module")
def detector():
    return LanguageDetector(supported=("en",), min_confidence=0.9).load()


ENGLISH = [
    "AU451 delayed again, 3rd time this month",
    "my bag is lost lol @AuroraAir #fail",
    "can i bring my dog",
    "u guys r the worst smh",
    "wtf where is my bag 😡😡",
    "gate changed?",
    "pls help asap",
    "flight cancelled AGAIN #NeverAgain",
    "seat 12A broken",
    "whens the next flight to dublin",
    "hv been waitin 4 ever",
    "yo where my luggage at",
    "cheers for the help mate",
    "crew were amazing 😍✈️",
    "#AuroraAir you never let me down 😍",
    "zero stars if i could",
    "hello aurora team",
    "destinations list #AuroraAir",
    "Booking ref QXPZ7T, surname Smith",
    "my name is Jean-Pierre Dubois",
    "there is smoke in the cabin!!",
    "I have been on hold for 3 hours and nobody answers, this is ridiculous",
]

UNKNOWN_TEXTS = [
    "ok",
    "OK!!",
    "thx",
    "ty!!",
    "K7P2QX",
    "AU451",
    "AU451 delayed???",
    "12A",
    "👍👍",
    "🔥🔥🔥",
    "😡",
    "",
    "   ",
    "LHR JFK",
    "#AuroraAir #fail",
    "@AuroraAir",
    "https://x.co/abc",
    "John Smith",
    "Jean-Pierre Dubois",
    "hola",
    "merci",
    "谢谢",
    "jfjfjjf kdkd",
]

FOREIGN = [
    ("Bonjour, mon vol est annulé, que faire ?", "fr"),
    ("@AuroraAir pourquoi mon vol AU451 est encore en retard ??? #nul", "fr"),
    ("merci pour votre aide", "fr"),
    ("mi vuelo fue cancelado", "es"),
    ("necesito ayuda con mi reserva K7P2QX por favor", "es"),
    ("Mein Flug wurde gestrichen", "de"),
    ("Ich habe mein Ticket online gebucht aber das Hotel ist weg", "de"),
    ("il mio volo è in ritardo", "it"),
    ("o meu voo foi cancelado", "pt"),
    ("mijn vlucht is geannuleerd", "nl"),
    ("mój lot został odwołany", "pl"),
    ("мой рейс отменили", "ru"),
    ("我的航班被取消了", "zh"),
    ("フライトがキャンセルされました", "ja"),
    ("항공편이 취소되었습니다", "ko"),
    ("رحلتي ألغيت", "ar"),
    ("Uçuşum iptal edildi", "tr"),
]


@pytest.mark.parametrize("text", ENGLISH)
def test_english_social_text_is_english(detector, text):
    code, confidence = detector.guess(text)
    assert code == "en", (text, code, confidence)
    assert 0.0 < confidence <= 1.0
    assert detector.detect(text).supported


@pytest.mark.parametrize("text", UNKNOWN_TEXTS)
def test_short_or_non_linguistic_text_is_unknown_and_never_unsupported(detector, text):
    result = detector.detect(text)
    assert result == LanguageResult(UNKNOWN, 0.0, True), (text, result)
    assert not result.known


@pytest.mark.parametrize(("text", "code"), FOREIGN)
def test_foreign_language_is_reported_unsupported_with_its_iso_code(detector, text, code):
    result = detector.detect(text)
    assert (result.code, result.supported) == (code, False), (text, result)
    assert result.confidence >= 0.9


def test_a_supported_foreign_language_is_supported():
    detector = LanguageDetector(supported=("en", "fr"), min_confidence=0.9)
    result = detector.detect("Bonjour, mon vol est annulé, que faire ?")
    assert result.code == "fr" and result.supported


def test_a_low_confidence_guess_is_not_unsupported():
    detector = LanguageDetector(supported=("en",), min_confidence=1.01)
    result = detector.detect("mi vuelo fue cancelado")
    assert result.code == "es" and result.supported


def test_detection_is_deterministic(detector):
    texts = [t for t, _ in FOREIGN] + ENGLISH
    first = [detector.detect(t) for t in texts]
    assert [LanguageDetector().detect(t) for t in texts] == first


def test_words_of_drops_codes_handles_links_tags_and_emojis():
    assert words_of("@AuroraAir AU451 to LHR 😡 https://x.co/a #fail ref K7P2QX thx") == ["to", "ref", "thx"]


def test_english_share_counts_regular_endings():
    assert english_share(["delays", "destinations", "boarding"]) == 1.0
    assert english_share(["mon", "vol", "est", "annulé"]) == 0.0
    assert english_share([]) == 0.0


def test_as_dict_shape():
    assert LanguageResult("fr", 0.97654, False).as_dict() == {"code": "fr", "confidence": 0.9765, "supported": False}


def test_model_is_not_loaded_until_used():
    detector = LanguageDetector()
    assert detector._identifier is None
    detector.detect("ok")  # too short: answered without the model
    assert detector._identifier is None


@pytest.mark.parametrize(
    ("text", "code"),
    [("@" * 5000, UNKNOWN), ("a" * 10000, UNKNOWN), ("#a" * 5000, UNKNOWN), ("a@" * 5000, None)],
    ids=["ats", "one-long-word", "tags", "a-at"],
)
def test_long_or_odd_input_is_bounded(detector, text, code):
    result = detector.detect(text)  # only the first MAX_CHARS are read
    assert 0.0 <= result.confidence <= 1.0
    assert code is None or result.code == code
