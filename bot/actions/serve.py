"""The action server's entry point: `python -m bot.actions.serve --port 5055`.

Runs the rasa_sdk action server for `bot.actions` (the options of `rasa run actions`:
--port, --cors, --ssl-*, --auto-reload, -v/-vv/--quiet, --log-file, --actions, plus
-i/--interface), after
reading the settings once (bot/actions/settings.py) and starting the warm-up: a
background thread loads the knowledge base and its MiniLM index, so the first customer
question and the first handoff's suggested answers do not wait for the encoder (about
5 s). `--no-warm-up` skips it. Nothing runs at import.

rasa_sdk's own `run()` listens on 0.0.0.0 (or SANIC_HOST); this one builds the same app
and serves it on `--interface`, default SOCIALCARE_BIND_HOST (127.0.0.1). A non-loopback
interface is logged as a warning: the action server has no authentication.
"""
from __future__ import annotations

import argparse
import logging
import os
import threading
from typing import Optional, Sequence

from rasa_sdk import utils as sdk_utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser, create_ssl_context
from rasa_sdk.plugin import plugin_manager

from bot.actions.knowledge_base import get_knowledge_base
from bot.actions.knowledge_index import get_index
from bot.actions.settings import ActionSettings, use_action_settings
from core.settings import LOOPBACK, bind_host, is_loopback

ACTIONS_PACKAGE = "bot.actions"
WARM_UP_THREAD = "actions-warm-up"

logger = logging.getLogger("bot.actions.serve")  # the same name when run as __main__


def warm_up() -> bool:
    """Loads the knowledge base and builds its index; False (logged, not raised) on failure."""
    try:
        get_index().ranked(get_knowledge_base(), "warm up")
    except Exception as exc:  # noqa: BLE001 - a warm-up failure only costs the first call time
        logger.warning("actions.warm_up_failed error=%s", type(exc).__name__)
        return False
    logger.info("actions.warm_up done")
    return True


def start_warm_up() -> threading.Thread:
    """`warm_up()` in a daemon thread (started; returned for tests and joins)."""
    thread = threading.Thread(target=warm_up, name=WARM_UP_THREAD, daemon=True)
    thread.start()
    return thread


def parse_args(argv: Optional[Sequence[str]] = None, default_host: str = LOOPBACK) -> argparse.Namespace:
    """The rasa_sdk action server's options, `--actions` defaulting to bot.actions,
    -i/--interface (default `default_host`) and --no-warm-up."""
    parser = create_argument_parser()
    parser.prog = "python -m bot.actions.serve"
    parser.description = "Runs the action server of the assistant (warms up the knowledge index first)."
    parser.set_defaults(actions=ACTIONS_PACKAGE)
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false",
                        help="do not load the knowledge base and its index at start")
    parser.add_argument("-i", "--interface", default=default_host,
                        help="interface to listen on (default SOCIALCARE_BIND_HOST, else 127.0.0.1)")
    return parser.parse_args(argv)


def configure_logging(args: argparse.Namespace) -> None:
    """Console and file logging as `rasa run actions` sets them up (rasa_sdk's main_from_args)."""
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    sdk_utils.configure_colored_logging(args.loglevel)
    sdk_utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel, args.logging_config_file,
    )
    sdk_utils.update_sanic_log_level()


def run(args: argparse.Namespace) -> None:
    """rasa_sdk's `endpoint.run` on `args.interface` instead of 0.0.0.0 (blocks)."""
    if not is_loopback(args.interface):
        logger.warning("actions.exposed interface=%s: the action server is unauthenticated; anyone who "
                       "reaches this port can run actions (set SOCIALCARE_BIND_HOST=127.0.0.1)", args.interface)
    app = create_app(args.actions, cors_origins=args.cors, auto_reload=args.auto_reload)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    logger.info("actions.listening interface=%s port=%s", args.interface, args.port)
    app.run(args.interface, args.port, ssl=ssl_context, workers=sdk_utils.number_of_sanic_workers())


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Reads the settings, configures logging, starts the warm-up, then serves (blocks)."""
    args = parse_args(argv, default_host=bind_host(os.environ))
    use_action_settings(ActionSettings.from_env(os.environ))
    configure_logging(args)
    if args.warm_up:
        start_warm_up()
    run(args)


if __name__ == "__main__":
    main()
