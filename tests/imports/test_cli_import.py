"""`matcha import`: the engine from the command line, with its summary."""

from __future__ import annotations

from app import cli
from tests.imports.conftest import sample
from tests.test_cli import database_env  # noqa: F401  (the fixture)


def test_import_companies_from_the_command_line(database_env, tmp_path, capsys, monkeypatch):  # noqa: F811
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("ett långt lösenord\n"))
    cli.main(["create-user", "--username", "kim", "--full-name", "Kim Ek", "--password-stdin"])
    path = tmp_path / "foretagskontakter_2019.csv"
    path.write_bytes(sample("foretagskontakter_2019.csv"))
    assert cli.main(["import", str(path), "--kind", "companies", "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert "provkörning" in dry and "rader lästa" in dry
    assert cli.main(["import", str(path), "--kind", "companies", "--user", "kim"]) == 0
    out = capsys.readouterr().out.strip().splitlines()[-1]
    assert out.startswith(dry.strip().splitlines()[-1].split(" (")[0])
