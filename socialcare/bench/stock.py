"""``python -m socialcare.bench.stock <rasa arguments>``: stock ``rasa`` for the benchmark.

Rasa's built-in ``facebook`` channel sends through ``fbmessenger``, whose client fixes
its ``graph_url`` (Graph v2.12 on graph.facebook.com) in ``__init__``. This wrapper points
that attribute at ``STOCK_GRAPH_URL`` (the platform sandbox) and then runs Rasa's own
command line unchanged, so the channel itself is exactly the stock one.
"""
from __future__ import annotations

import os
import sys

import fbmessenger


def patch_graph_url(url: str) -> None:
    """Make every ``fbmessenger.MessengerClient`` send to ``url`` instead of Meta."""
    original = fbmessenger.MessengerClient.__init__

    def init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        self.graph_url = url

    fbmessenger.MessengerClient.__init__ = init


def main() -> None:
    """Patch, then hand over to ``rasa``'s entry point with our arguments (the process
    entry point: STOCK_GRAPH_URL is read here)."""
    patch_graph_url(os.environ["STOCK_GRAPH_URL"].rstrip("/"))
    from rasa.__main__ import main as rasa_main  # deferred on purpose: Rasa takes seconds to import

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
