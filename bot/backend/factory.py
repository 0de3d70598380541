"""Build the airline backend the actions use, from settings or the environment.

`AIRLINE_BACKEND` picks the implementation (only `sqlite`, the demo, exists today; a brand
adds e.g. `http`). `AIRLINE_DB_PATH` is the demo database (default `var/airline.db` under
the current working directory), created and seeded on first use.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Optional

from bot.backend.repository import AirlineRepository
from bot.backend.seed import ensure_database
from bot.backend.sqlite import SqliteAirlineRepository

DEFAULT_DB_PATH = "var/airline.db"
BACKENDS = ("sqlite",)


def build_repository(settings_or_env: Optional[Mapping[str, str]] = None) -> AirlineRepository:
    """The configured repository; `settings_or_env` defaults to `os.environ`.

    Raises ValueError for an unknown `AIRLINE_BACKEND`.
    """
    env = os.environ if settings_or_env is None else settings_or_env
    backend = (env.get("AIRLINE_BACKEND") or "sqlite").strip().lower()
    if backend not in BACKENDS:
        raise ValueError(
            f"AIRLINE_BACKEND={backend!r} is not available; choose one of {', '.join(BACKENDS)}")
    path = Path(env.get("AIRLINE_DB_PATH") or DEFAULT_DB_PATH)
    if not path.is_absolute():
        path = Path.cwd() / path
    ensure_database(str(path))
    return SqliteAirlineRepository(str(path))
