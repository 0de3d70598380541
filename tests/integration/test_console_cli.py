"""`socialcare console-user`: the first admin is created by a command, against a real Redis
(REDIS_URL) or, before `make run`, the embedded one started just for the command."""
from __future__ import annotations

import asyncio
import io

import pytest
import redis.asyncio as aioredis

from console.cli import main
from console.keys import ConsoleKeys
from console.users import UserStore
from core.embedded_redis import EmbeddedRedis
from socialcare.cli import build_parser
from tests.conftest import free_port
from tests.helpers.handoff_support import run_redis

PASSWORD = "first admin password"


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    yield from run_redis(tmp_path_factory.mktemp("console-cli-redis"))


def run(argv, env, stdin=""):
    out = io.StringIO()
    code = main(build_parser().parse_args(argv), env=env, stdin=io.StringIO(stdin), out=out)
    return code, out.getvalue()


async def authenticate(port, prefix, name, password):
    client = aioredis.Redis(host="127.0.0.1", port=port, socket_timeout=5, decode_responses=True)
    try:
        return await UserStore(client, ConsoleKeys(prefix)).authenticate(name, password)
    finally:
        await client.close()


def test_add_list_passwd_delete_against_redis_url(redis_port, tmp_path, capsys):
    env = {"REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "REDIS_KEY_PREFIX": "cli1",
           "SOCIALCARE_DATA_DIR": str(tmp_path), "CONSOLE_USER_PASSWORD": PASSWORD}
    assert run(["console-user", "add", "alice", "--role", "supervisor"], env) == (0, "created alice (supervisor)\n")
    assert run(["console-user", "add", "alice"], env)[0] == 1
    assert "exists" in capsys.readouterr().err
    assert run(["console-user", "list"], env) == (0, "alice\tsupervisor\n")
    user = asyncio.run(authenticate(redis_port, "cli1", "alice", PASSWORD))
    assert user is not None and user.role == "supervisor"
    no_env_password = {k: v for k, v in env.items() if k != "CONSOLE_USER_PASSWORD"}
    assert run(["console-user", "passwd", "alice", "--password-stdin"], no_env_password, "a new password!\n")[0] == 0
    assert asyncio.run(authenticate(redis_port, "cli1", "alice", PASSWORD)) is None
    assert asyncio.run(authenticate(redis_port, "cli1", "alice", "a new password!")) is not None
    assert run(["console-user", "add", "bob", "--password-stdin"], no_env_password, "short\n")[0] == 2
    assert run(["console-user", "delete", "alice"], env)[0] == 0
    assert run(["console-user", "list"], env) == (0, "")


def test_add_before_make_run_uses_the_embedded_redis_files(tmp_path):
    port = free_port()
    env = {"EMBEDDED_REDIS_PORT": str(port), "SOCIALCARE_DATA_DIR": str(tmp_path),
           "CONSOLE_USER_PASSWORD": PASSWORD}
    assert run(["console-user", "add", "root", "--role", "supervisor"], env)[0] == 0

    async def later_start():
        server = EmbeddedRedis(port, tmp_path / "redis")  # what `make run` starts
        await server.start()
        try:
            return await authenticate(port, "socialcare", "root", PASSWORD)
        finally:
            await server.stop()

    user = asyncio.run(later_start())
    assert user is not None and user.role == "supervisor"
