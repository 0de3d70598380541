"""Pure outbound helpers: splitting, quick replies, options, public replies, backoff, errors."""
from datetime import datetime, timezone
from email.utils import format_datetime

import pytest

from connectors.facebook import outbound as fb
from connectors.facebook.client import graph_error
from connectors.http import (
    Metrics,
    OutsideMessagingWindow,
    PermissionDenied,
    PlatformError,
    RateLimited,
    RetryPolicy,
    ThreadControlledByOtherApp,
    backoff_wait,
    compute_wait,
    server_requested_wait,
)
from connectors.text import split_text, utf16_len
from connectors.twitter import outbound as xo
from connectors.twitter.client import x_error
from tests.helpers.fake_platforms import validate_send_body

# --------------------------------------------------------------------------- splitting


def _words(chunks):
    return " ".join(chunks).split()


def test_short_text_is_one_chunk_and_blank_is_none():
    assert split_text("  hello there  ", 1999) == ["hello there"]
    assert split_text("", 10) == []
    assert split_text(" \n ", 10) == []


def test_split_prefers_paragraphs():
    text = "A" * 1200 + "\n\n" + "B" * 1200
    assert split_text(text, 1999) == ["A" * 1200, "B" * 1200]


def test_split_on_sentences_keeps_order_and_content():
    sentence = "This sentence is about your booking and nothing else at all. "
    text = sentence * 100
    chunks = split_text(text, 1999)
    assert len(chunks) > 1
    assert all(len(c) <= 1999 for c in chunks)
    assert all(c.endswith(".") for c in chunks)
    assert _words(chunks) == text.split()


def test_split_on_words_never_breaks_a_word():
    words = [f"word{i}" for i in range(1500)]
    text = " ".join(words)
    chunks = split_text(text, 500)
    assert all(len(c) <= 500 for c in chunks)
    assert _words(chunks) == words


def test_split_word_that_fits_exactly():
    assert split_text("abcd efgh", 4) == ["abcd", "efgh"]


def test_split_hard_cuts_a_giant_word():
    chunks = split_text("x" * 5000, 1999)
    assert [len(c) for c in chunks] == [1999, 1999, 1002]


def test_split_with_utf16_measure_counts_emoji_twice():
    text = "\U0001F600" * 1500  # 3000 UTF-16 code units
    chunks = split_text(text, 1999, measure=utf16_len)
    assert all(utf16_len(c) <= 1999 for c in chunks)
    assert "".join(chunks) == text


def test_split_rejects_bad_limit():
    with pytest.raises(ValueError):
        split_text("abc", 0)


# --------------------------------------------------------------------------- Messenger bodies


def test_quick_replies_are_capped_and_titles_truncated():
    options = [{"title": f"Option number {i} with a long title", "payload": f"/choose{{\"n\":{i}}}"} for i in range(15)]
    replies = fb.build_quick_replies(options)
    assert len(replies) == 13
    assert all(len(r["title"]) <= 20 and r["content_type"] == "text" for r in replies)
    assert replies[0]["title"].endswith("\u2026")
    assert replies[12]["payload"] == '/choose{"n":12}'


def test_quick_reply_defaults_and_errors():
    assert fb.build_quick_replies([{"title": "Yes"}]) == [{"content_type": "text", "title": "Yes", "payload": "Yes"}]
    assert fb.build_quick_replies([{"content_type": "user_email"}]) == [{"content_type": "user_email"}]
    with pytest.raises(ValueError):
        fb.build_quick_replies([{"title": "", "payload": "x"}])
    with pytest.raises(ValueError):
        fb.build_quick_replies([{"title": "ok", "payload": "p" * 1001}])


def test_text_messages_put_quick_replies_on_last_chunk_only():
    text = "First paragraph. " * 200
    messages = fb.build_text_messages(text, quick_replies=[{"title": "Yes", "payload": "/affirm"}], metadata="ticket-1")
    assert len(messages) >= 2
    assert all("quick_replies" not in m for m in messages[:-1])
    assert messages[-1]["quick_replies"][0]["payload"] == "/affirm"
    assert all(m["metadata"] == "ticket-1" for m in messages)
    for message in messages:
        assert validate_send_body(fb.message_request("123", message)) is None


def test_text_messages_reject_blank_and_long_metadata():
    with pytest.raises(ValueError):
        fb.build_text_messages("   ")
    with pytest.raises(ValueError):
        fb.build_text_messages("hi", metadata="m" * 1000)


def test_button_template_for_up_to_three_buttons():
    buttons = [{"title": "Check in", "payload": "/check_in"}, {"title": "Our baggage policy page", "url": "https://example.com/bags"}]
    [message] = fb.build_button_messages("What next?", buttons)
    payload = message["attachment"]["payload"]
    assert payload["template_type"] == "button" and payload["text"] == "What next?"
    assert payload["buttons"][0] == {"type": "postback", "title": "Check in", "payload": "/check_in"}
    assert payload["buttons"][1]["type"] == "web_url" and len(payload["buttons"][1]["title"]) <= 20
    assert validate_send_body(fb.message_request("1", message)) is None


def test_button_template_long_text_goes_first_as_plain_text():
    text = "Long explanation sentence here. " * 40  # about 1,280 characters
    messages = fb.build_button_messages(text, [{"title": "OK", "payload": "/ok"}])
    assert "text" in messages[0] and "attachment" in messages[-1]
    assert len(messages[-1]["attachment"]["payload"]["text"]) <= 640
    rebuilt = [m.get("text") or m["attachment"]["payload"]["text"] for m in messages]
    assert _words(rebuilt) == text.split()


def test_more_than_three_buttons_fall_back_to_quick_replies():
    buttons = [{"title": f"B{i}", "payload": f"/b{i}"} for i in range(4)] + [{"title": "Site", "url": "https://x.example"}]
    [message] = fb.build_button_messages("Pick one", buttons)
    assert "attachment" not in message
    assert [q["payload"] for q in message["quick_replies"]] == ["/b0", "/b1", "/b2", "/b3"]
    assert message["text"] == "Pick one\nSite: https://x.example"


def test_message_request_types_and_sender_actions():
    body = fb.message_request("42", {"text": "hi"})
    assert body == {"recipient": {"id": "42"}, "messaging_type": "RESPONSE", "message": {"text": "hi"}}
    tagged = fb.message_request("42", {"text": "hi"}, tag="HUMAN_AGENT")
    assert tagged["messaging_type"] == "MESSAGE_TAG" and tagged["tag"] == "HUMAN_AGENT"
    with pytest.raises(ValueError):
        fb.message_request("42", {"text": "hi"}, tag="PROMOTION")
    assert fb.sender_action_request("42", "typing_on") == {"recipient": {"id": "42"}, "sender_action": "typing_on"}
    with pytest.raises(ValueError):
        fb.sender_action_request("42", "dance")


# --------------------------------------------------------------------------- X options


OPTIONS = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}, {"title": "Talk to an agent", "payload": "/human"}]


def test_render_options_appends_numbered_list():
    assert xo.render_options("Did that help?", OPTIONS[:2]) == "Did that help?\n\n1. Yes\n2. No"
    assert xo.render_options("Plain", None) == "Plain"


@pytest.mark.parametrize(
    "reply, expected",
    [
        ("1", "/affirm"), ("1.", "/affirm"), ("1)", "/affirm"), ("#2", "/deny"), (" 2 ", "/deny"),
        ("one", "/affirm"), ("Two", "/deny"), ("THREE", "/human"), ("yes", "/affirm"), ("YES!", "/affirm"),
        ("talk to  an agent", "/human"), ("1. Yes", "/affirm"),
        ("4", None), ("0", None), ("maybe", None), ("2. Yes", None), ("", None), ("1 please", None),
    ],
)
def test_match_option(reply, expected):
    assert xo.match_option(reply, OPTIONS) == expected


def test_match_option_prefers_exact_titles_and_handles_no_options():
    options = [{"title": "2 bags", "payload": "/two"}, {"title": "1 bag", "payload": "/one"}]
    assert xo.match_option("1 bag", options) == "/one"
    assert xo.match_option("2", options) == "/one"  # number 2 is the second option
    assert xo.match_option("1", None) is None


def test_split_dm_long_text_keeps_options_on_last_part():
    text = "Lots of detail here. " * 1200  # about 25,200 characters
    parts = xo.split_dm(text, OPTIONS[:2])
    assert len(parts) == 3
    assert all(len(p) <= xo.DM_TEXT_LIMIT for p in parts)
    assert parts[-1].endswith("1. Yes\n2. No")
    assert "1. Yes" not in parts[0]
    with pytest.raises(ValueError):
        xo.split_dm("  ")


# --------------------------------------------------------------------------- X public replies


def test_weighted_length():
    assert xo.weighted_length("abc") == 3
    assert xo.weighted_length("\u65e5\u672c") == 4  # CJK counts 2
    assert xo.weighted_length("see https://a.co") == 4 + 23
    assert xo.weighted_length("https://example.com/" + "x" * 40) == 60


def test_fit_public_reply_keeps_short_text():
    assert xo.fit_public_reply("  Thanks, we are on it!  ") == "Thanks, we are on it!"
    with pytest.raises(ValueError):
        xo.fit_public_reply("   ")


def test_fit_public_reply_cuts_on_word_boundary_with_ellipsis():
    text = "We are sorry about the delay on your flight, " * 10
    reply = xo.fit_public_reply(text)
    assert len(reply) <= 280 and xo.weighted_length(reply) <= 280
    assert reply.endswith("\u2026") and not reply.endswith(",\u2026")
    kept = reply[:-1]
    assert text.startswith(kept) and text[len(kept)] in " ,"


def test_fit_public_reply_hard_cuts_one_giant_word_and_counts_cjk():
    assert xo.weighted_length(xo.fit_public_reply("z" * 400)) <= 280
    cjk = xo.fit_public_reply("\u4f60\u597d" * 200)
    assert xo.weighted_length(cjk) <= 280 and len(cjk) <= 140
    assert xo.fit_public_reply("word " * 100, limit=20) == "word word word\u2026"  # "…" weighs 2


def test_reply_request_body_and_id_check():
    assert xo.reply_request("1234567890", "Hi") == {"text": "Hi", "reply": {"in_reply_to_tweet_id": "1234567890"}}
    with pytest.raises(ValueError):
        xo.reply_request("12a", "Hi")
    with pytest.raises(ValueError):
        xo.dm_request("")


# --------------------------------------------------------------------------- backoff


NOW = 1_700_000_000.0
POLICY = RetryPolicy(max_attempts=5, base_wait=1.0, max_wait=300.0, max_total=600.0)


def test_retry_after_seconds_and_http_date():
    assert compute_wait(POLICY, 1, status=429, headers={"Retry-After": "120"}, now=NOW) == 120
    date = format_datetime(datetime.fromtimestamp(NOW + 30, tz=timezone.utc), usegmt=True)
    assert compute_wait(POLICY, 1, status=503, headers={"retry-after": date}, now=NOW) == pytest.approx(30)


def test_waits_are_capped_by_policy():
    small = RetryPolicy(max_wait=0.2)
    assert compute_wait(small, 1, status=429, headers={"Retry-After": "900"}, now=NOW) == 0.2


def test_x_rate_limit_reset_only_on_429_or_exhausted():
    headers = {"x-rate-limit-reset": str(int(NOW) + 45), "x-rate-limit-remaining": "3"}
    assert server_requested_wait(headers, 429, now=NOW) == 45
    assert server_requested_wait(headers, 500, now=NOW) is None
    assert server_requested_wait({**headers, "x-rate-limit-remaining": "0"}, 500, now=NOW) == 45
    assert server_requested_wait({"x-rate-limit-reset": str(int(NOW) - 5)}, 429, now=NOW) is None


def test_garbage_headers_fall_back_to_backoff():
    assert server_requested_wait({"Retry-After": "soon"}, 429, now=NOW) is None
    assert server_requested_wait(None, 429) is None


def test_exponential_backoff_with_full_jitter():
    assert [compute_wait(POLICY, n, rand=lambda: 1.0) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert compute_wait(POLICY, 3, rand=lambda: 0.5) == 2.0
    assert compute_wait(POLICY, 3, rand=lambda: 0.0) == 0.0
    capped = RetryPolicy(base_wait=1.0, max_wait=3.0)
    assert compute_wait(capped, 10, rand=lambda: 1.0) == 3.0
    fixed = RetryPolicy(base_wait=0.5, jitter=False)
    assert backoff_wait(fixed, 2) == 1.0
    for _ in range(50):
        assert 0.0 <= compute_wait(POLICY, 2) <= 2.0


def test_retry_policy_validation():
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(max_total=0)


# --------------------------------------------------------------------------- error mapping


def _graph(code, subcode=None, message="x", **extra):
    error = {"message": message, "type": "OAuthException", "code": code, **extra}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


@pytest.mark.parametrize(
    "status, body, kind, retryable",
    [
        (400, _graph(10, 2018278), OutsideMessagingWindow, False),
        (400, _graph(10, message="(#10) This message is sent outside of allowed window."), OutsideMessagingWindow, False),
        (400, _graph(10, 2018300), ThreadControlledByOtherApp, False),
        (400, _graph(4), RateLimited, True),
        (400, _graph(613), RateLimited, True),
        (400, _graph(32), RateLimited, True),
        (429, None, RateLimited, True),
        (500, _graph(2, is_transient=True), PlatformError, True),
        (503, None, PlatformError, True),
        (400, _graph(10, 2018065), PermissionDenied, False),
        (403, _graph(200), PermissionDenied, False),
        (400, _graph(100), PlatformError, False),
        (400, "not json", PlatformError, False),
    ],
)
def test_graph_error_mapping(status, body, kind, retryable):
    error = graph_error(status, body, {})
    assert type(error) is kind
    assert error.retryable is retryable and error.status == status


def test_graph_rate_limit_keeps_retry_after_and_hides_detail():
    error = graph_error(429, _graph(4, message="(#4) Application request limit reached"), {"Retry-After": "7"})
    assert error.retry_after == 7 and error.code == 4
    assert "limit reached" not in str(error) and error.detail.startswith("(#4)")


@pytest.mark.parametrize(
    "status, body, kind, retryable",
    [
        (429, {"title": "Too Many Requests"}, RateLimited, True),
        (503, {"title": "Service Unavailable"}, PlatformError, True),
        (403, {"detail": "You are not permitted to send a DM to this user."}, PermissionDenied, False),
        (400, {"errors": [{"message": "bad"}], "type": "https://api.twitter.com/2/problems/invalid-request"}, PlatformError, False),
        (401, None, PlatformError, False),
    ],
)
def test_x_error_mapping(status, body, kind, retryable):
    error = x_error(status, body, {"x-rate-limit-reset": "9999999999"})
    assert type(error) is kind and error.retryable is retryable


def test_metrics_counters():
    metrics = Metrics()
    metrics.incr("facebook", "sent")
    metrics.incr("facebook", "sent", 2)
    metrics.incr("twitter", "failed")
    assert metrics.get("facebook", "sent") == 3 and metrics.get("twitter", "retried") == 0
    assert metrics.snapshot() == {"facebook": {"sent": 3}, "twitter": {"failed": 1}}
    metrics.reset()
    assert metrics.snapshot() == {}
