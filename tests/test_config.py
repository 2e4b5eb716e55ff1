"""Settings from the environment."""

import stat

import pytest

from app.config import Settings


def test_defaults_and_environment(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "SECRET_KEY", "MATCHA_HOST", "MATCHA_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MATCHA_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert (settings.host, settings.port, settings.secure_cookies) == ("127.0.0.1", 8000, False)
    assert settings.resolved_database_url() == f"sqlite:///{tmp_path / 'matcha.db'}"

    monkeypatch.setenv("MATCHA_HOST", "0.0.0.0")
    monkeypatch.setenv("MATCHA_PORT", "8080")
    monkeypatch.setenv("MATCHA_SECURE_COOKIES", "true")
    monkeypatch.setenv("MATCHA_LOG_LEVEL", "debug")
    monkeypatch.setenv("DATABASE_URL", "postgres://matcha@db.kommun.example/matcha")
    settings = Settings()
    assert (settings.host, settings.port, settings.secure_cookies) == ("0.0.0.0", 8080, True)
    assert settings.log_level == "DEBUG"
    assert (
        settings.resolved_database_url() == "postgresql+psycopg://matcha@db.kommun.example/matcha"
    )


def test_unknown_log_level_is_refused(monkeypatch):
    monkeypatch.setenv("MATCHA_LOG_LEVEL", "chatty")
    with pytest.raises(ValueError, match="unknown log level"):
        Settings()


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    settings = Settings(data_dir=tmp_path)
    key = settings.resolved_secret_key()
    assert len(key) >= 48
    assert Settings(data_dir=tmp_path).resolved_secret_key() == key
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_explicit_secret_key_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert Settings(data_dir=tmp_path).resolved_secret_key() == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_trusted_proxies_must_be_addresses(monkeypatch):
    monkeypatch.setenv("MATCHA_TRUSTED_PROXIES", "10.0.0.2, 192.168.1.0/24")
    assert Settings().trusted_proxies
    monkeypatch.setenv("MATCHA_TRUSTED_PROXIES", "nginx")
    with pytest.raises(ValueError, match="IP addresses or networks"):
        Settings()


def test_sqlite_page_cache_per_connection_is_a_setting(monkeypatch, tmp_path):
    from app.main import create_app

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("MATCHA_DATA_DIR", str(tmp_path))
    assert Settings().sqlite_cache_mb == 64
    monkeypatch.setenv("MATCHA_SQLITE_CACHE_MB", "8")
    settings = Settings()
    engine = create_app(settings).state.engine
    try:
        with engine.connect() as connection:
            # Negative: KiB.
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -8 * 1024
    finally:
        engine.dispose()
    monkeypatch.setenv("MATCHA_SQLITE_CACHE_MB", "0")
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        Settings()
