"""Canned responses: the shipped file loads, malformed files are refused with a reason."""
import pytest

from console.canned import CannedError, load_canned, parse_canned
from console.settings import ConsoleSettings


def test_shipped_file_loads():
    responses = load_canned(ConsoleSettings().canned_path)
    ids = [r.id for r in responses]
    assert "greeting" in ids and len(ids) == len(set(ids))
    public = next(r for r in responses if r.id == "move-to-dm")
    assert public.channels == ("twitter_mention",) and len(public.text) <= 280


def test_absent_file_gives_none(tmp_path):
    assert load_canned(tmp_path / "missing.yml") == []


@pytest.mark.parametrize("data", [
    None,
    {"version": 2, "responses": []},
    {"version": 1, "responses": {"a": 1}},
    {"version": 1, "responses": ["text"]},
    {"version": 1, "responses": [{"id": "Bad Id", "title": "t", "text": "x"}]},
    {"version": 1, "responses": [{"id": "a", "title": "t", "text": "x"}, {"id": "a", "title": "t", "text": "y"}]},
    {"version": 1, "responses": [{"id": "a", "title": "", "text": "x"}]},
    {"version": 1, "responses": [{"id": "a", "title": "t", "text": "x" * 1001}]},
    {"version": 1, "responses": [{"id": "a", "title": "t", "text": "x", "channels": "messenger"}]},
])
def test_malformed_files_are_refused(data):
    with pytest.raises(CannedError):
        parse_canned(data)
