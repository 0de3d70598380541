"""Fixtures for the airline backend tests: a seeded tmp_path database and a settable clock."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import AsyncIterator, Callable

import pytest
import pytest_asyncio

from bot.backend.seed import seed
from bot.backend.sqlite import SqliteAirlineRepository

TODAY = dt.date(2025, 6, 10)


class Clock:
    """A settable clock to inject as `clock=`; starts at TODAY 12:00."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def at(self, day_offset: int, hhmm: str) -> None:
        """Move to TODAY + day_offset at HH:MM."""
        hours, minutes = (int(x) for x in hhmm.split(":"))
        self.now = dt.datetime.combine(TODAY + dt.timedelta(days=day_offset),
                                       dt.time(hours, minutes))


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    """A freshly seeded database for TODAY."""
    path = str(tmp_path / "airline.db")
    seed(path, TODAY)
    return path


@pytest.fixture
def clock() -> Clock:
    """Noon on TODAY."""
    return Clock(dt.datetime.combine(TODAY, dt.time(12, 0)))


@pytest_asyncio.fixture
async def repo(db_path: str, clock: Clock) -> AsyncIterator[SqliteAirlineRepository]:
    """The repository over the seeded database, closed afterwards."""
    repository = SqliteAirlineRepository(db_path, timeout=5.0, clock=clock)
    yield repository
    await repository.close()


@pytest.fixture
def today() -> dt.date:
    """The date every test database is seeded for."""
    return TODAY


@pytest.fixture
def day() -> Callable[[int], dt.date]:
    """TODAY shifted by a number of days."""
    return lambda offset: TODAY + dt.timedelta(days=offset)
