"""Failures become BackendError; the factory builds the configured repository."""
from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import time
from pathlib import Path

import pytest

from bot.backend import sqlite_queries
from bot.backend.errors import BackendError
from bot.backend.factory import build_repository
from bot.backend.sqlite import SqliteAirlineRepository


async def backend_error(repo: SqliteAirlineRepository) -> BackendError:
    with pytest.raises(BackendError) as info:
        await repo.find_booking("K7P2QX", "Smith")
    assert type(info.value) is BackendError  # not NotFound: "could not answer", never a "no"
    return info.value


@pytest.mark.asyncio
async def test_directory_missing_and_corrupt_files(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a database" * 100)
    for path in (tmp_path, tmp_path / "missing.db", corrupt):
        repo = SqliteAirlineRepository(str(path), timeout=1.0)
        try:
            await backend_error(repo)
            with pytest.raises(BackendError):
                await repo.flight_status("AU451", dt.date(2025, 6, 10))
        finally:
            await repo.close()
    assert not (tmp_path / "missing.db").exists()  # never creates an empty database


@pytest.mark.asyncio
async def test_locked_database_is_a_backend_error_then_recovers(db_path: str, clock) -> None:
    locker = sqlite3.connect(db_path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    repo = SqliteAirlineRepository(db_path, timeout=0.3, clock=clock)
    try:
        started = time.monotonic()
        await backend_error(repo)
        with pytest.raises(BackendError):
            await repo.cancel_booking("K7P2QX", "Smith")
        assert time.monotonic() - started < 3.0
        locker.execute("ROLLBACK")
        assert (await repo.find_booking("K7P2QX", "Smith")).status == "confirmed"
    finally:
        locker.close()
        await repo.close()


@pytest.mark.asyncio
async def test_slow_query_times_out(db_path: str, clock, monkeypatch) -> None:
    async def hang(*_args: object) -> None:
        await asyncio.sleep(30)

    monkeypatch.setattr(sqlite_queries, "load_booking", hang)
    repo = SqliteAirlineRepository(db_path, timeout=0.2, clock=clock)
    try:
        started = time.monotonic()
        error = await backend_error(repo)
        assert "timed out" in str(error) and time.monotonic() - started < 2.0
        monkeypatch.undo()
        assert (await repo.find_booking("K7P2QX", "Smith")).reference == "K7P2QX"
    finally:
        await repo.close()


@pytest.mark.asyncio
async def test_close_then_reuse(repo: SqliteAirlineRepository) -> None:
    await repo.find_booking("K7P2QX", "Smith")
    await repo.close()
    await repo.close()
    assert (await repo.find_booking("K7P2QX", "Smith")).reference == "K7P2QX"


@pytest.mark.asyncio
async def test_factory_defaults_to_var_airline_db_in_cwd(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    repo = build_repository({})
    try:
        assert isinstance(repo, SqliteAirlineRepository)
        assert (tmp_path / "var" / "airline.db").exists()
        assert (await repo.loyalty_account("100200300", "Okafor")).tier == "gold"
    finally:
        await repo.close()


@pytest.mark.asyncio
async def test_factory_reads_path_and_backend(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "elsewhere" / "demo.db"
    monkeypatch.setenv("AIRLINE_DB_PATH", str(path))
    monkeypatch.setenv("AIRLINE_BACKEND", "SQLite")
    repo = build_repository()
    try:
        assert path.exists()
        assert (await repo.bag_file("LGWAU12345", "Patel")).status == "on_its_way"
    finally:
        await repo.close()


def test_factory_rejects_unknown_backends(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="http"):
        build_repository({"AIRLINE_BACKEND": "http", "AIRLINE_DB_PATH": str(tmp_path / "x.db")})
    assert not (tmp_path / "x.db").exists()
