"""decode_json (connectors/intake/jsonbody.py): only an unparsable body is refused
(MalformedPayload -> 400), never a RecursionError (500); a too-deep part is cut so the
rest of the batch is taken; lone surrogates are replaced so Redis can store the text."""
from __future__ import annotations

import json

import pytest

from connectors.intake import jsonbody, webhook
from connectors.intake.queue import encode_event
from connectors.security import MalformedPayload
from connectors.twitter import parse_webhook
from tests.helpers.fixtures import fixture_bytes


def _depth(node):
    deepest, stack = 0, [(node, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


@pytest.mark.parametrize("raw", [
    b"[" * 100_000 + b"]" * 100_000,                      # Python's json: RecursionError
    b'{"a": ' + b"[" * 65 + b"]" * 65 + b"}",             # over MAX_JSON_DEPTH, under Python's limit
    b'{"a": ' + b'{"b": ' * 70 + b"1" + b"}" * 70 + b"}",
])
def test_deep_nesting_is_cut_at_the_limit_never_a_crash(raw):
    assert _depth(webhook.decode_json(raw)) <= webhook.MAX_JSON_DEPTH


def test_a_deep_item_does_not_cost_the_good_items_of_its_batch():
    good = {"id": "good", "text": "hello"}
    raw = json.dumps({"entry": [good, {"id": "bad", "nlp": "DEEP"}]})
    raw = raw.replace('"DEEP"', "[" * 100_000 + "]" * 100_000).encode()
    body = webhook.decode_json(raw)
    assert body["entry"][0] == good and body["entry"][1]["id"] == "bad"
    assert _depth(body) <= webhook.MAX_JSON_DEPTH


def test_pruning_is_lexical_and_leaves_strings_alone():
    assert jsonbody.prune_deep('{"s": "[[[\\"[", "a": [[[1]]]}', 2) == '{"s": "[[[\\"[", "a": [null]}'


def test_deep_and_unbalanced_is_still_malformed():
    with pytest.raises(MalformedPayload):
        webhook.decode_json(b"[" * 100_000)


def test_depth_limit_leaves_ordinary_nesting_alone():
    raw = b'{"a": ' + b"[" * (webhook.MAX_JSON_DEPTH - 2) + b"]" * (webhook.MAX_JSON_DEPTH - 2) + b"}"
    assert webhook.decode_json(raw)["a"] is not None


@pytest.mark.parametrize("raw", [b"\xff\xfe", b"{not json", b'{"a": 1'])
def test_not_json_is_malformed(raw):
    with pytest.raises(MalformedPayload):
        webhook.decode_json(raw)


def test_lone_surrogates_become_replacement_characters():
    raw = b'{"k\\udfff": ["x\\ud800", {"t": "\\udc00y"}], "ok": "\\ud83d\\ude00", "s": "\\\\ud800"}'
    body = webhook.decode_json(raw)
    assert body == {"k\ufffd": ["x\ufffd", {"t": "\ufffdy"}], "ok": "\U0001f600", "s": "\\ud800"}
    json.dumps(body, ensure_ascii=False).encode("utf-8")  # storable as UTF-8 now
    assert webhook.decode_json(b'"\\ud800"') == "\ufffd"


def test_a_dm_with_a_lone_surrogate_can_be_enqueued():
    raw = fixture_bytes("twitter", "dm").replace(b"can I add a bag?", b"bag \\ud800?")
    [event] = parse_webhook(webhook.decode_json(raw), "1790000000000000001")
    assert event.text.endswith("bag \ufffd?")
    encode_event(event).encode("utf-8")
