"""The matcha command: create-user and an online backup that restores."""

import io
import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, text

from app import cli
from app.auth.passwords import verify_password
from app.db import make_engine
from tests.databases import throwaway_database


@pytest.fixture
def database_env(tmp_path, monkeypatch):
    """A migrated database of the engine under test (a SQLite file, or a fresh database on
    the PostgreSQL server of TEST_DATABASE_URL, dropped afterwards) that the command uses."""
    with throwaway_database(tmp_path, name="cli") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("MATCHA_DATA_DIR", str(tmp_path))
        monkeypatch.chdir(tmp_path)
        cli.get_settings.cache_clear()
        cli.migrate(url)
        yield tmp_path, url
        cli.get_settings.cache_clear()


@pytest.fixture
def sqlite_env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'matcha.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MATCHA_DATA_DIR", str(tmp_path))
    cli.get_settings.cache_clear()
    cli.migrate(url)
    yield tmp_path, url
    cli.get_settings.cache_clear()


def test_create_user_from_the_command_line(sqlite_env, monkeypatch, capsys):
    _, url = sqlite_env
    monkeypatch.setattr("sys.stdin", io.StringIO("ett långt lösenord\n"))
    code = cli.main(
        [
            "create-user",
            "--username",
            "Kim",
            "--full-name",
            "Kim Ek",
            "--role",
            "admin",
            "--password-stdin",
        ]
    )
    assert code == 0
    assert "Användaren kim (admin) är skapad." in capsys.readouterr().out
    with create_engine(url).connect() as connection:
        role, password_hash = connection.execute(
            text("SELECT role, password_hash FROM user_account WHERE username = 'kim'")
        ).one()
    assert role == "admin"
    assert verify_password(password_hash, "ett långt lösenord")


def test_create_user_explains_a_bad_password(sqlite_env, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("kort\n"))
    code = cli.main(
        ["create-user", "--username", "kim", "--full-name", "Kim Ek", "--password-stdin"]
    )
    assert code == 1
    assert "Lösenordet måste ha minst 10 tecken." in capsys.readouterr().err


def test_backup_while_the_app_writes_restores_with_the_data(sqlite_env, capsys):
    tmp_path, url = sqlite_env
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO login_attempt (username, client_ip, attempted_at, succeeded) "
                "VALUES ('före', '127.0.0.1', '2026-03-02 08:00:00', 0)"
            )
        )
    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            with engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO login_attempt (username, client_ip, attempted_at, succeeded) "
                        "VALUES ('under', '127.0.0.1', '2026-03-02 08:00:00', 0)"
                    )
                )

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        target = tmp_path / "kopia.db"
        assert cli.main(["backup", str(target)]) == 0
    finally:
        stop.set()
        writer.join()
        engine.dispose()
    assert "Säkerhetskopia skriven" in capsys.readouterr().out

    restored = sqlite3.connect(target)
    assert restored.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    names = [row[0] for row in restored.execute("SELECT username FROM login_attempt")]
    restored.close()
    assert "före" in names
    # The restored copy is a working Matcha database: migrations see it at head.
    cli.migrate(f"sqlite:///{target}")


def test_backup_on_postgresql_points_to_pg_dump(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/matcha")
    cli.get_settings.cache_clear()
    try:
        assert cli.main(["backup"]) == 2
    finally:
        cli.get_settings.cache_clear()
    assert "pg_dump" in capsys.readouterr().err
