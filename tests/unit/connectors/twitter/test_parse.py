"""X webhook parsing (AAA and X Activity API) over the project's own fixtures."""
import copy

import pytest

from connectors.events import IgnoredEvent, InboundEvent, RejectedEvent
from connectors.intake.queue import conversation_of
from connectors.security import ConfigurationError, MalformedPayload
from connectors.twitter import parse_webhook
from tests.helpers.fixtures import fixture_names, load_fixture

BRAND = "1790000000000000001"
CUST = "1650000000000000042"
CUST2 = "1660000000000000077"
MARA = {"author_handle": "mara_travels", "author_name": "Mara K.", "author_followers": 312}
TOM = {"author_handle": "tomaberg", "author_name": "Tom \u00c5berg", "author_followers": 18250}


def parse(name, brand=BRAND):
    return parse_webhook(load_fixture("twitter", name), brand)


def test_dm():
    [event] = parse("dm")
    assert event == InboundEvent(
        platform="twitter", kind="message", platform_event_id="1800000000000000101",
        sender_id=CUST, recipient_id=BRAND, account_id=BRAND, thread_id=CUST,
        text="Hi! My booking ref is QX7P2L, can I add a bag?", payload=None, attachments=[],
        timestamp=1717100000123, metadata={"public": False, **MARA, "source_app_id": "28761234"},
    )


def test_dm_quick_reply_response():
    [event] = parse("dm_quick_reply")
    assert event.kind == "quick_reply"
    assert event.text == "Add one checked bag"  # the option label
    assert event.payload == "ADD_BAG:1"
    assert event.metadata["quick_reply_response"] == {"type": "options", "metadata": "ADD_BAG:1"}
    assert event.metadata["public"] is False


def test_own_dm_is_ignored():
    [event] = parse("dm_own")
    assert event == IgnoredEvent(platform="twitter", reason="own_dm", platform_event_id="1800000000000000103",
                                 sender_id=BRAND, account_id=BRAND, timestamp=1717100200123,
                                 metadata={"recipient_id": CUST})


def test_dm_media_is_an_attachment_not_text():
    [event] = parse("dm_media")
    assert event.text == "This is how my suitcase came back"
    assert event.attachments == [{
        "type": "photo", "url": "https://ton.example.invalid/dm/1800000000000000104/suitcase.jpg",
        "id": "1800000000000009001", "expanded_url": "https://x.com/messages/media/1800000000000000104"}]


def test_dm_media_only_has_no_text():
    body = load_fixture("twitter", "dm_media")
    body["direct_message_events"][0]["message_create"]["message_data"]["text"] = "https://t.co/AbCdEf1234"
    [event] = parse_webhook(body, BRAND)
    assert event.text is None and len(event.attachments) == 1


def test_dm_batch_order_preserved_and_own_dm_skipped():
    events = parse("dm_batch")
    assert [e.platform_event_id for e in events] == [
        "1800000000000000110", "1800000000000000111", "1800000000000000112", "1800000000000000113"]
    assert [getattr(e, "text", None) for e in events] == ["first", "second", None, "third"]
    assert isinstance(events[2], IgnoredEvent) and events[2].reason == "own_dm"
    assert events[1].metadata["author_handle"] == "tomaberg"


def test_typing_and_read_are_ignored():
    [typing] = parse("typing")
    assert (typing.reason, typing.sender_id, typing.timestamp) == ("typing", CUST, 1717100500123)
    [read] = parse("read")
    assert read.reason == "read"


def test_mention_strips_leading_handle_and_keeps_original():
    [event] = parse("mention")
    assert event == InboundEvent(
        platform="twitter", kind="mention", platform_event_id="1800000000000000201",
        sender_id=CUST, recipient_id=BRAND, account_id=BRAND, thread_id="1800000000000000201",
        text="my bag didn't arrive on SK88 & nobody answers the phone", payload=None, attachments=[],
        timestamp=1717165200000,
        metadata={"public": True, "tweet_id": "1800000000000000201",
                  "original_text": "@SkyLarkAir my bag didn't arrive on SK88 & nobody answers the phone",
                  **MARA, "in_reply_to": None, "in_reply_to_user_id": None, "mentions_brand": True,
                  "replies_to_brand": False, "quoted_tweet_id": None, "lang": "en"},
    )


def test_reply_to_brand():
    [event] = parse("reply_to_brand")
    assert event.kind == "mention"
    assert event.text == "Thanks, but the tracing link gives an error"
    assert event.metadata["original_text"].startswith("@SkyLarkAir @tomaberg ")
    assert event.metadata["in_reply_to"] == "1800000000000000150"
    assert event.metadata["replies_to_brand"] is True


def test_reply_to_brand_counts_without_explicit_mention_entity():
    body = load_fixture("twitter", "reply_to_brand")
    body["tweet_create_events"][0]["entities"]["user_mentions"] = []
    [event] = parse_webhook(body, BRAND)
    assert event.kind == "mention" and event.metadata["mentions_brand"] is False


def test_tweet_not_addressed_to_brand_is_ignored():
    body = load_fixture("twitter", "reply_to_brand")
    tweet = body["tweet_create_events"][0]
    tweet["entities"]["user_mentions"] = []
    tweet["in_reply_to_user_id_str"] = CUST2
    [event] = parse_webhook(body, BRAND)
    assert isinstance(event, IgnoredEvent) and event.reason == "not_addressed"


def test_own_tweet_and_retweet_are_ignored():
    [own] = parse("own_tweet")
    assert (own.reason, own.platform_event_id, own.sender_id) == ("own_tweet", "1800000000000000203", BRAND)
    [retweet] = parse("retweet")
    assert (retweet.reason, retweet.platform_event_id) == ("retweet", "1800000000000000204")


def test_long_tweet_uses_extended_full_text_and_media():
    [event] = parse("long_tweet")
    assert event.text == (
        "Flight SK1402 from Oslo was delayed 5 hours, we missed our connection in Copenhagen and "
        "the transfer desk sent us to three different counters. Who is handling compensation and "
        "the hotel voucher?")
    assert event.metadata["original_text"].endswith("hotel voucher? https://t.co/Zz9Yy8Xx7W")
    assert event.attachments == [{"type": "photo", "url": "https://pbs.example.invalid/media/queue-at-desk.jpg",
                                  "id": "1800000000000009205"}]
    assert {k: event.metadata[k] for k in TOM} == TOM


def test_unsupported_aaa_key():
    [event] = parse("unsupported")
    assert (event.reason, event.detail) == ("unsupported", "favorite_events")


def test_other_subscribed_account_is_ignored():
    [event] = parse("dm", brand="999")
    assert (event.reason, event.detail, event.account_id) == ("other_account", "direct_message_events", BRAND)
    [event] = parse("xaa_dm_received", brand="999")
    assert event.reason == "other_account"


def test_xaa_dm_received():
    [event] = parse("xaa_dm_received")
    assert event == InboundEvent(
        platform="twitter", kind="message", platform_event_id="1800000000000000301",
        sender_id=CUST, recipient_id=BRAND, account_id=BRAND, thread_id=CUST,
        text="Is the lounge in Copenhagen open at 5am?", timestamp=1717200000456,
        metadata={"public": False, **MARA, "event_uuid": "-4211908473412390001", "event_type": "dm.received"},
    )


def test_xaa_dm_sent_is_own_dm():
    [event] = parse("xaa_dm_sent")
    assert (event.reason, event.platform_event_id) == ("own_dm", "1800000000000000302")


def test_xaa_post_mention_create():
    [event] = parse("xaa_post_mention_create")
    assert event.kind == "mention"
    assert event.platform_event_id == "1800000000000000401"
    assert event.sender_id == CUST2 and event.recipient_id == BRAND
    assert event.text == "is the 07:10 to Stockholm still on schedule & boarding at gate C3?"
    assert event.timestamp == 1717178400000
    assert event.thread_id == "1800000000000000401"
    assert event.metadata == {
        "public": True, "tweet_id": "1800000000000000401",
        "original_text": "@SkyLarkAir is the 07:10 to Stockholm still on schedule & boarding at gate C3?",
        **TOM, "in_reply_to": None, "in_reply_to_user_id": None, "mentions_brand": True,
        "replies_to_brand": False, "quoted_tweet_id": None, "lang": "en",
        "conversation_id": "1800000000000000401", "event_uuid": "1800000000000000401",
        "event_type": "post.mention.create",
    }


def test_xaa_own_post_and_retweet_are_ignored():
    body = load_fixture("twitter", "xaa_post_mention_create")
    body["data"]["payload"]["author_id"] = BRAND
    assert parse_webhook(body, BRAND)[0].reason == "own_tweet"
    body = load_fixture("twitter", "xaa_post_mention_create")
    body["data"]["payload"]["referenced_tweets"] = [{"type": "retweeted", "id": "1"}]
    assert parse_webhook(body, BRAND)[0].reason == "retweet"


def test_xaa_unsupported_event_type():
    [event] = parse("xaa_like_create")
    assert (event.reason, event.detail, event.platform_event_id) == (
        "unsupported", "like.create", "-3402274200000000001")


def test_every_fixture_parses():
    for name in fixture_names("twitter"):
        assert parse(name), name


def test_brand_id_required():
    with pytest.raises(ConfigurationError):
        parse_webhook(load_fixture("twitter", "dm"), "")


def _mutated(name, mutate):
    body = load_fixture("twitter", name)
    mutate(body)
    return body


def test_malformed_body_names_path():
    with pytest.raises(MalformedPayload) as caught:
        parse_webhook(_mutated("xaa_post_mention_create", lambda b: b.update(data="x")), BRAND)
    assert caught.value.path == "data"


def _with_good_dm(body):
    """The batch plus one valid DM, so a test can see the good item is still taken."""
    good = load_fixture("twitter", "dm")["direct_message_events"][0]
    if "data" in body:
        body = {"data": [body["data"], {"event_type": "dm.received", "filter": {"user_id": BRAND},
                                        "payload": {"direct_message_events": [good]}}]}
    elif isinstance(body.get("direct_message_events", []), list):
        body.setdefault("direct_message_events", []).append(good)
    else:  # that key is the broken one: the good item comes as a mention
        body["tweet_create_events"] = load_fixture("twitter", "mention")["tweet_create_events"]
    return body


@pytest.mark.parametrize(
    "name, mutate, item_path, problem_path",
    [
        ("dm", lambda b: b.update(direct_message_events={"id": "1"}), "direct_message_events",
         "direct_message_events"),
        ("dm", lambda b: b["direct_message_events"].append("x"), "direct_message_events[1]",
         "direct_message_events[1]"),
        ("dm", lambda b: b["direct_message_events"][0]["message_create"].pop("sender_id"),
         "direct_message_events[0]", "direct_message_events[0].message_create.sender_id"),
        ("dm", lambda b: b["direct_message_events"][0].pop("id"), "direct_message_events[0]",
         "direct_message_events[0].id"),
        ("dm", lambda b: b["direct_message_events"][0]["message_create"].pop("message_data"),
         "direct_message_events[0]", "direct_message_events[0].message_create.message_data"),
        ("mention", lambda b: b["tweet_create_events"][0].pop("user"), "tweet_create_events[0]",
         "tweet_create_events[0].user"),
        ("mention", lambda b: b["tweet_create_events"][0]["user"].pop("id_str"), "tweet_create_events[0]",
         "tweet_create_events[0].user.id_str"),
        ("mention", lambda b: b["tweet_create_events"][0].pop("id_str"), "tweet_create_events[0]",
         "tweet_create_events[0].id_str"),
        ("mention", lambda b: b["tweet_create_events"][0]["entities"].update(user_mentions={}),
         "tweet_create_events[0]", "tweet_create_events[0].entities.user_mentions"),
        ("typing", lambda b: b["direct_message_indicate_typing_events"].append(None),
         "direct_message_indicate_typing_events[1]", "direct_message_indicate_typing_events[1]"),
        ("xaa_dm_received", lambda b: b["data"].pop("event_type"), "data[0]", "data[0].event_type"),
        ("xaa_dm_received", lambda b: b["data"]["payload"].pop("direct_message_events"), "data[0]",
         "data[0].payload.direct_message_events"),
        ("xaa_post_mention_create", lambda b: b["data"]["payload"].pop("author_id"), "data[0]",
         "data[0].payload.author_id"),
        ("xaa_post_mention_create", lambda b: b["data"].update(payload=[]), "data[0]", "data[0].payload"),
    ],
)
def test_unusable_item_is_rejected_alone(name, mutate, item_path, problem_path):
    """One bad item becomes a RejectedEvent naming it; a good DM in the same batch is taken."""
    events = parse_webhook(_with_good_dm(_mutated(name, mutate)), BRAND)
    [rejected] = [e for e in events if isinstance(e, RejectedEvent)]
    assert (rejected.platform, rejected.path) == ("twitter", item_path)
    assert rejected.reason.startswith(f"malformed:{problem_path}: ")
    assert "item=" not in repr(rejected)
    inbound = [e for e in events if isinstance(e, InboundEvent)]
    good_ids = {"1800000000000000101", parse("mention")[0].platform_event_id}
    assert inbound and inbound[-1].platform_event_id in good_ids


def test_dm_media_as_a_list_is_taken():
    body = load_fixture("twitter", "dm_media")
    data = body["direct_message_events"][0]["message_create"]["message_data"]
    data["attachment"]["media"] = [data["attachment"]["media"], "junk"]
    [event] = parse_webhook(body, BRAND)
    [single] = parse("dm_media")
    assert isinstance(event, InboundEvent)
    assert (event.text, event.attachments) == (single.text, single.attachments)


@pytest.mark.parametrize("body", [None, [], "x"])
def test_non_object_body_is_malformed(body):
    with pytest.raises(MalformedPayload):
        parse_webhook(body, BRAND)


def test_xaa_list_envelope_keeps_order():
    first = load_fixture("twitter", "xaa_dm_received")["data"]
    second = load_fixture("twitter", "xaa_post_mention_create")["data"]
    events = parse_webhook({"data": [first, second]}, BRAND)
    assert [e.kind for e in events] == ["message", "mention"]


def _xaa_post(post_id, author, conversation):
    body = load_fixture("twitter", "xaa_post_mention_create")
    payload = body["data"]["payload"]
    payload.update(id=post_id, author_id=author, conversation_id=conversation)
    body["data"]["event_uuid"] = post_id
    return body


def test_two_authors_in_one_thread_are_two_conversations():
    """One tracker per author: the sender (and the intake's conversation key) is the
    author in every X format; the shared thread id stays as the reply target."""
    thread = "1800000000000000900"
    first = parse_webhook(_xaa_post("1800000000000000901", CUST, thread), BRAND)[0]
    second = parse_webhook(_xaa_post("1800000000000000902", CUST2, thread), BRAND)[0]
    assert (first.sender_id, second.sender_id) == (CUST, CUST2)
    assert first.thread_id == second.thread_id == thread
    assert first.metadata["conversation_id"] == thread
    assert conversation_of(first) == CUST and conversation_of(second) == CUST2
    # v1.1 replies (AAA tweet_create_events) and DMs: the author / sender too.
    tweet = load_fixture("twitter", "reply_to_brand")
    other = copy.deepcopy(tweet)
    other["tweet_create_events"][0]["id_str"] = "1800000000000000999"
    other["tweet_create_events"][0]["user"]["id_str"] = CUST2
    v1_a, v1_b = parse_webhook(tweet, BRAND)[0], parse_webhook(other, BRAND)[0]
    assert v1_a.sender_id != v1_b.sender_id and conversation_of(v1_b) == CUST2
    [dm] = parse("dm")
    assert conversation_of(dm) == dm.sender_id == CUST
