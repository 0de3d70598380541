"""The airline backend the actions talk to: built lazily on first use, replaceable in tests.

The action server imports every module in `bot/actions`, so nothing is built at import
time; the first action that needs the backend builds it from the environment with
`bot.backend.factory.build_repository` (AIRLINE_BACKEND, AIRLINE_DB_PATH).
"""
from __future__ import annotations

import logging
from typing import Optional

from bot.backend.errors import BackendError
from bot.backend.factory import build_repository
from bot.backend.repository import AirlineRepository

logger = logging.getLogger(__name__)

_repository: Optional[AirlineRepository] = None


def get_repository() -> AirlineRepository:
    """The process-wide repository; raises BackendError when it cannot be built."""
    global _repository
    if _repository is None:
        try:
            _repository = build_repository()
        except BackendError:
            raise
        except Exception as exc:  # noqa: BLE001 - any setup failure is a backend outage
            logger.error("airline backend could not be built: %s", type(exc).__name__)
            raise BackendError("airline backend unavailable") from exc
    return _repository


def set_repository(repository: Optional[AirlineRepository]) -> None:
    """Use `repository` from now on (tests inject a fake); None rebuilds on next use."""
    global _repository
    _repository = repository
