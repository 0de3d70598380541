"""Fixtures for the action tests: a fake backend installed for the actions, pinned dates."""
from __future__ import annotations

import pytest

from bot.actions import backend
from bot.actions.knowledge_base import clear_cache
from tests.helpers.action_fakes import TODAY, FakeRepository


@pytest.fixture
def repo():
    """The in-memory backend, installed as the actions' repository for one test."""
    fake = FakeRepository()
    backend.set_repository(fake)
    yield fake
    backend.set_repository(None)


@pytest.fixture(autouse=True)
def _fresh_knowledge():
    clear_cache()
    yield
    clear_cache()


def pinned(action):
    """The action with `today()` pinned to the tests' TODAY."""
    action.today = lambda: TODAY
    return action
