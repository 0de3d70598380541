"""`socialcare console` and `socialcare console-user ...`: serve the console, manage users.

The first admin is created by a person, never by a default password in the code::

    socialcare console-user add alice --role supervisor     # asks for the password twice
    socialcare console-user role alice agent                # ends alice's sessions
    socialcare console-user passwd alice                    # ends alice's sessions too

The password comes from the prompt, from standard input with ``--password-stdin`` (one
line), or from CONSOLE_USER_PASSWORD (for scripts). With no Redis configured (see
`core.settings.RedisSettings`) and none answering on the embedded port, the embedded
Redis is started for the command and stopped after, on the same data files as `make run`.
"""
from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any, Mapping, Optional, TextIO

from console.app import run
from console.keys import ConsoleKeys
from console.settings import ConsoleSettings
from console.users import MIN_PASSWORD_LENGTH, ROLES, UserError, UserExists, UserStore, check_password
from core.embedded_redis import redis_for_command


def add_parsers(sub: "argparse._SubParsersAction") -> None:
    """Add the `console` and `console-user` sub-commands to the socialcare parser."""
    sub.add_parser("console", help="serve the agent console (CONSOLE_HOST:CONSOLE_PORT)")
    users = sub.add_parser("console-user", help="manage agent console users")
    verbs = users.add_subparsers(dest="verb", required=True)
    add = verbs.add_parser("add", help="create a user (password from a prompt)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="agent")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    passwd = verbs.add_parser("passwd", help="set a user's password (ends their sessions)")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    role = verbs.add_parser("role", help="change a user's role (ends their sessions)")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    verbs.add_parser("list", help="list users and roles")
    delete = verbs.add_parser("delete", help="delete a user")
    delete.add_argument("name")


def read_password(args: argparse.Namespace, env: Mapping[str, str], stdin: TextIO) -> str:
    """The new password: CONSOLE_USER_PASSWORD, one line of stdin, or a prompt (twice)."""
    if env.get("CONSOLE_USER_PASSWORD"):
        return env["CONSOLE_USER_PASSWORD"]
    if args.password_stdin:
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"password for {args.name} (at least {MIN_PASSWORD_LENGTH} characters): ")
    second = getpass.getpass("again: ")
    if first != second:
        raise UserError("the passwords differ")
    return first


def open_redis(settings: ConsoleSettings) -> Any:
    """`core.embedded_redis.redis_for_command` on the console's settings."""
    return redis_for_command(settings.redis, settings.data_dir, binary=settings.redis_server_bin,
                             timeout=settings.redis_timeout)


async def manage_users(args: argparse.Namespace, settings: ConsoleSettings, password: Optional[str],
                       out: TextIO) -> int:
    """Carry out one `console-user` verb; returns the exit code."""
    async with open_redis(settings) as redis:
        users = UserStore(redis, ConsoleKeys(settings.redis.key_prefix))
        if args.verb == "add":
            user = await users.create(args.name, args.role, password or "")
            print(f"created {user.name} ({user.role})", file=out)
        elif args.verb == "passwd":
            await users.set_password(args.name, password or "")
            print(f"password changed for {args.name}; their sessions are ended", file=out)
        elif args.verb == "role":
            user = await users.set_role(args.name, args.role)
            print(f"{user.name} is now {user.role}; their sessions are ended", file=out)
        elif args.verb == "list":
            for user in await users.list():
                print(f"{user.name}\t{user.role}", file=out)
        elif args.verb == "delete":
            removed = await users.delete(args.name)
            print(("deleted " if removed else "no user ") + args.name, file=out)
            return 0 if removed else 1
    return 0


def main(args: argparse.Namespace, env: Mapping[str, str],
         stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """Entry point for the two sub-commands (called by socialcare.cli with its process
    environment)."""
    settings = ConsoleSettings.from_env(env)
    if args.command == "console":
        run(settings)
        return 0
    try:
        password = read_password(args, env, stdin) if args.verb in ("add", "passwd") else None
        if password is not None:
            check_password(password, args.name)  # before Redis is opened: a clear, early error
        return asyncio.run(manage_users(args, settings, password, out))
    except UserExists as exc:
        print(f"{exc}: use `console-user passwd` to change the password", file=sys.stderr)
        return 1
    except UserError as exc:
        print(str(exc), file=sys.stderr)
        return 2
