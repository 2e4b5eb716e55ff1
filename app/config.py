"""Settings from environment variables; see the README's configuration table."""

from __future__ import annotations

import logging
import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHA_", extra="ignore", populate_by_name=True)

    data_dir: Path = PROJECT_ROOT / "data"
    database_url: str = Field(default="", validation_alias="DATABASE_URL")
    secret_key: str = Field(default="", validation_alias="SECRET_KEY")
    host: str = "127.0.0.1"
    port: int = 8000
    # Server processes of `matcha serve`. One suits SQLite (one writer at a time anyway);
    # on PostgreSQL, about one per core.
    workers: int = Field(default=1, ge=1, le=64)
    # Requests a server process works on at once (threads; more wait their turn). Python
    # runs one thread at a time, and each more makes every request slower.
    threads: int = Field(default=8, ge=1, le=200)
    # SQLite's page cache per database connection, in MiB. A server process keeps up to
    # MATCHA_THREADS + its cores + 6 connections; pages are taken as they are read, so its
    # memory grows towards connections × this while it reads a large register, no further.
    sqlite_cache_mb: int = Field(default=64, ge=1, le=4096)
    secure_cookies: bool = False
    log_level: str = "INFO"
    # Proxies whose X-Forwarded-For we believe, as addresses or networks (comma separated).
    trusted_proxies: str = ""
    session_idle_minutes: int = Field(default=120, ge=5)
    session_max_hours: int = Field(default=12, ge=1)
    # Sign-in through the organisation's OpenID provider (Entra ID, Keycloak...): on when
    # an issuer and a client id are set. See the README's "Inloggning med organisationens
    # konto".
    oidc_issuer: str = ""
    # Where the provider's metadata is; by default the issuer's
    # /.well-known/openid-configuration.
    oidc_discovery_url: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid profile email"
    # The login page's button: "Logga in med <label>".
    oidc_label: str = "organisationens konto"
    # The claim that names the user for good: "sub", or Entra ID's "oid" (the object id
    # an admin sees in the portal; "sub" there differs per application).
    oidc_subject_claim: str = "sub"
    # Group ids or app-role names (comma separated) that give each role; the highest wins.
    # They are looked for in the groups claim and the roles claim.
    oidc_admin_groups: str = ""
    oidc_broker_groups: str = ""
    oidc_viewer_groups: str = ""
    oidc_groups_claim: str = "groups"
    oidc_roles_claim: str = "roles"
    # A user's first sign-in creates them; otherwise an admin must have linked them first.
    oidc_create_users: bool = True
    # Sessions signed in through the provider end after this many hours (shorter than
    # MATCHA_SESSION_MAX_HOURS), so that removal from a group takes effect within it.
    oidc_session_max_hours: int = Field(default=8, ge=1)
    # Seconds to wait for any answer from the provider.
    oidc_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # The address the provider sends the user back to, if not this server's own
    # (behind a proxy that rewrites the host): https://matcha.example.se/login/sso/callback
    oidc_redirect_uri: str = ""
    # Local passwords: off means only the break-glass admins below may use one.
    local_passwords: bool = True
    # Usernames (comma separated) of admins who may sign in with a password when
    # MATCHA_LOCAL_PASSWORDS is off: for when the provider is down.
    break_glass_admins: str = ""
    # The security log keeps events this many months, then the app deletes them.
    security_log_months: int = Field(default=12, ge=1, le=120)
    # Largest import upload; a larger one is refused before it is read into memory.
    import_max_mb: int = Field(default=20, ge=1)
    # How much of a sheet the import reads (app/imports/reading.py Limits): a file over any
    # is refused, with a message that says which, before it costs more time or memory.
    import_max_rows: int = Field(default=100_000, ge=1)
    import_max_columns: int = Field(default=200, ge=1, le=16_384)
    # Python's csv module bounds a field at 131,072 characters.
    import_max_cell_chars: int = Field(default=32_767, ge=100, le=131_072)
    import_max_cells: int = Field(default=2_000_000, ge=1)
    # The largest request body of any kind; larger ones are refused (413) before they are
    # read. At least the import's limit and a megabyte for the rest of its form.
    request_max_mb: int | None = Field(default=None, ge=1)
    # Run queued imports in a background thread of this process (app/imports/jobs.py).
    import_worker: bool = True
    # A running import whose instance has shown no sign of life for this long is taken
    # over by another (or by this one after a restart).
    import_takeover_seconds: int = Field(default=60, ge=10, le=3600)

    @field_validator("database_url")
    @classmethod
    def _use_psycopg3(cls, url: str) -> str:
        # Hosting panels hand out postgres:// URLs; we talk to PostgreSQL through psycopg 3.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses_only(cls, spec: str) -> str:
        from app.net import parse_trusted

        try:
            parse_trusted(spec)
        except ValueError as error:
            raise ValueError(
                f"MATCHA_TRUSTED_PROXIES takes IP addresses or networks: {error}"
            ) from None
        return spec

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, level: str) -> str:
        level = level.upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError(f"unknown log level {level!r}")
        return level

    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    def break_glass_usernames(self) -> frozenset[str]:
        return frozenset(
            name.strip().lower() for name in self.break_glass_admins.split(",") if name.strip()
        )

    def request_max_bytes(self) -> int:
        least = self.import_max_mb + 1
        return max(self.request_max_mb or least, least) * 1024 * 1024

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'matcha.db'}"

    def resolved_secret_key(self) -> str:
        """SECRET_KEY, or one generated on first run and kept in the data folder."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # O_EXCL: if two processes start at once, one writes and both read the same key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as f:
            f.write(key)
        log.info("generated SECRET_KEY in %s", path)
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
