"""`socialcare console-user`: parsing, where the password comes from, validation."""
import io

import pytest

from console.cli import main, read_password
from console.users import UserError, check_name, check_password, check_role
from socialcare.cli import build_parser


def test_parser_knows_the_console_commands():
    args = build_parser().parse_args(["console-user", "add", "alice", "--role", "supervisor"])
    assert (args.command, args.verb, args.name, args.role) == ("console-user", "add", "alice", "supervisor")
    assert build_parser().parse_args(["console-user", "add", "bob"]).role == "agent"
    assert build_parser().parse_args(["console"]).command == "console"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["console-user", "add", "x", "--role", "admin"])


def test_password_from_env_stdin_or_prompt(monkeypatch):
    args = build_parser().parse_args(["console-user", "add", "alice"])
    assert read_password(args, {"CONSOLE_USER_PASSWORD": "from the env 1"}, io.StringIO()) == "from the env 1"
    stdin_args = build_parser().parse_args(["console-user", "add", "alice", "--password-stdin"])
    assert read_password(stdin_args, {}, io.StringIO("typed password\n")) == "typed password"
    answers = iter(["first answer 1", "second answer"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(UserError):
        read_password(args, {}, io.StringIO())


def test_names_roles_and_passwords_are_validated():
    assert check_name("ann.k-2") == "ann.k-2"
    for bad in ("A", "Ann", "x" * 33, "a b", "../x", ""):
        with pytest.raises(UserError):
            check_name(bad)
    with pytest.raises(UserError):
        check_role("admin")
    with pytest.raises(UserError):
        check_password("short")


def test_role_verb_and_password_rules_before_redis(capsys):
    args = build_parser().parse_args(["console-user", "role", "alice", "trainer"])
    assert (args.verb, args.name, args.role) == ("role", "alice", "trainer")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["console-user", "role", "alice", "admin"])
    bad = build_parser().parse_args(["console-user", "passwd", "alice"])
    env = {"CONSOLE_SECRET_KEY": "A" * 43 + "=", "CONSOLE_USER_PASSWORD": "password123456",
           "REDIS_URL": "redis://127.0.0.1:1/0"}
    assert main(bad, env) == 2  # refused before any Redis is reached
    assert "common passwords" in capsys.readouterr().err
