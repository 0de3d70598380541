"""Custom actions of the Aurora Air assistant, one business topic per module.

The action server (`rasa run actions --actions bot.actions`) imports every module here;
none does work at import time (the backend and knowledge load on first use), except
that with `SOCIALCARE_WARM_UP=1` (set by `socialcare run`) a background thread loads the
knowledge base and its MiniLM index at once, so the first customer question and the
first handoff's suggested answers do not wait for the encoder (about 5 s).
"""
import logging
import os
import threading

_logger = logging.getLogger(__name__)


def _warm_up() -> None:
    """Loads the knowledge base and builds its index (errors are logged, not raised)."""
    try:
        from bot.actions.knowledge_base import get_knowledge_base
        from bot.actions.knowledge_index import get_index

        get_index().ranked(get_knowledge_base(), "warm up")
        _logger.info("actions.warm_up done")
    except Exception as exc:  # noqa: BLE001 - a warm-up failure only costs the first call time
        _logger.warning("actions.warm_up_failed error=%s", type(exc).__name__)


if os.environ.get("SOCIALCARE_WARM_UP") == "1":
    threading.Thread(target=_warm_up, name="actions-warm-up", daemon=True).start()
