"""``python -m sandbox``: serve the platform sandbox with settings from the environment.

The process entry point: the settings are read here, once, from the process environment.
"""
from __future__ import annotations

import logging
import os
import sys

from aiohttp import web

from sandbox.app import create_app
from sandbox.settings import SandboxSettings, SandboxSettingsError


def main() -> int:
    """Run until SIGINT/SIGTERM; exit 2 when settings are unusable."""
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO").upper(),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = SandboxSettings.from_env(os.environ)
    except SandboxSettingsError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    # No access log: Graph calls carry the page token in the query string.
    web.run_app(create_app(settings), host=settings.host, port=settings.port, access_log=None,
                print=lambda *_: None, handle_signals=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
