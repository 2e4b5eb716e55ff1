"""An OpenID provider for the tests, shaped like Microsoft Entra ID, and the hands that use it.

`OpenIdProvider` runs tests/oidc/provider.mjs (oidc-provider, a certified OpenID provider
for Node) on a free loopback port. Its ID tokens carry Entra's claims: oid, tid, name,
preferred_username, email, `groups` (group object ids) and `roles` (app-role names); an
account with `group_overage` gets Entra's overage pointer (`_claim_names`) instead of groups.

Signing in is its own HTML form: any password, and an unknown login name is refused.
Consent is never asked. PKCE S256 is required; the client may authenticate with
client_secret_basic or client_secret_post. Logout (RP-initiated) ends in a form with
logout=yes that a browser submits by itself (a script, as oidc-provider's form_post
does) and `sign_out_at_provider` submits from Python.

The suite's fixtures (`oidc_provider`, `other_oidc_provider`, `oidc_provider_factory`)
are registered in tests/conftest.py. They fail, never skip, when Node or the npm
packages are missing: `npm ci` installs oidc-provider.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
START_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0

# --- the tenant, the app registration and its accounts ---------------------------------

TENANT_ID = "8f3c2a1e-5b7d-4c9e-a0f1-2d3e4f5a6b7c"
CLIENT_ID = "matcha-test"
CLIENT_SECRET = "matcha-test-secret-not-for-production"

# Group object ids, as Entra sends them in `groups`.
ADMIN_GROUP = "0a1b2c3d-0000-4000-8000-00000000ad01"
BROKER_GROUP = "0a1b2c3d-0000-4000-8000-00000000b401"
OTHER_GROUP = "0a1b2c3d-0000-4000-8000-0000000000f1"

# App-role values, as Entra sends them in `roles`.
ADMIN_ROLE = "Matcha.Admin"
BROKER_ROLE = "Matcha.Broker"
VIEWER_ROLE = "Matcha.Viewer"

# Login names (the sign-in form's "Login name").
ADMIN = "anna.admin"
BROKER = "bertil.broker"
VIEWER = "vera.viewer"
NOGROUP = "nils.nogroup"
OVERAGE = "olga.overage"

DOMAIN = "matcha.example"

# Where the in-process app (FastAPI's TestClient) is sent back to.
TESTSERVER_REDIRECT_URIS = (
    "http://testserver/login/sso/callback",
    "http://testserver/account/sso/callback",
)
TESTSERVER_POST_LOGOUT_REDIRECT_URIS = ("http://testserver/login",)


def entra_account(
    login: str,
    name: str,
    *,
    oid: str,
    groups: Sequence[str] = (),
    roles: Sequence[str] = (),
    group_overage: bool = False,
) -> dict[str, Any]:
    """An account's claims as Entra puts them in an ID token (v2.0), by login name.

    `sub` is the login name (a stable subject for the app registration). Entra leaves
    `roles` and `groups` out when empty, and so does this. With
    `group_overage`, the token has no `groups` but `_claim_names: {"groups": "src1"}` and
    `_claim_sources` pointing at Microsoft Graph, as Entra sends for too many groups.
    """
    claims: dict[str, Any] = {
        "oid": oid,
        "tid": TENANT_ID,
        "ver": "2.0",
        "name": name,
        "preferred_username": f"{login}@{DOMAIN}",
        "email": f"{login}@{DOMAIN}",
    }
    # Entra leaves a claim out rather than send an empty list.
    if roles:
        claims["roles"] = list(roles)
    if group_overage:
        claims["group_overage"] = True
    elif groups:
        claims["groups"] = list(groups)
    return claims


# The admin is in the admin group and has the admin app role; the broker is one by group
# only, the viewer by app role only; nils is only in a group Matcha knows nothing of; olga
# is in too many groups for the token (overage) and a broker by app role.
ACCOUNTS: Mapping[str, Mapping[str, Any]] = {
    ADMIN: entra_account(
        ADMIN,
        "Anna Admin",
        oid="11111111-1111-4111-8111-000000000001",
        groups=[ADMIN_GROUP],
        roles=[ADMIN_ROLE],
    ),
    BROKER: entra_account(
        BROKER,
        "Bertil Broker",
        oid="11111111-1111-4111-8111-000000000002",
        groups=[BROKER_GROUP],
    ),
    VIEWER: entra_account(
        VIEWER,
        "Vera Viewer",
        oid="11111111-1111-4111-8111-000000000003",
        roles=[VIEWER_ROLE],
    ),
    NOGROUP: entra_account(
        NOGROUP,
        "Nils Nogroup",
        oid="11111111-1111-4111-8111-000000000004",
        groups=[OTHER_GROUP],
    ),
    OVERAGE: entra_account(
        OVERAGE,
        "Olga Overage",
        oid="11111111-1111-4111-8111-000000000005",
        roles=[BROKER_ROLE],
        group_overage=True,
    ),
}


@dataclass(frozen=True)
class OidcClient:
    """A client (app registration) of the provider: confidential, code flow, PKCE."""

    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    redirect_uris: Sequence[str] = TESTSERVER_REDIRECT_URIS
    post_logout_redirect_uris: Sequence[str] = TESTSERVER_POST_LOGOUT_REDIRECT_URIS

    def metadata(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uris": list(self.redirect_uris),
            "post_logout_redirect_uris": list(self.post_logout_redirect_uris),
        }


class ProviderError(RuntimeError):
    """The provider did not start, or answered a step of a flow in an unexpected way."""


class SignInRefused(ProviderError):
    """The provider's sign-in form refused the login (e.g. an unknown login name)."""


# --- the provider process ----------------------------------------------------------------


@cache
def ssl_context() -> ssl.SSLContext:
    """One default SSL context for every httpx client here: making one takes ~25 ms."""
    return ssl.create_default_context()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require_node() -> str:
    """The `node` executable; raises ProviderError when Node or oidc-provider is missing."""
    node = shutil.which("node")
    if node is None:
        raise ProviderError(
            "the OpenID provider for the tests needs Node.js: `node` is not on PATH"
        )
    if not (PROJECT_ROOT / "node_modules" / "oidc-provider" / "package.json").is_file():
        raise ProviderError(
            "the OpenID provider for the tests needs the npm package oidc-provider: run `npm ci`"
        )
    return node


@dataclass
class OpenIdProvider:
    """One provider process. `start()` it (or use it as a context manager), `stop()` it."""

    accounts: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: dict(ACCOUNTS))
    clients: Sequence[OidcClient] = (OidcClient(),)
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _dir: Path | None = field(default=None, init=False, repr=False)
    _issuer: str | None = field(default=None, init=False, repr=False)
    _http: httpx.Client | None = field(default=None, init=False, repr=False)

    def start(self) -> OpenIdProvider:
        if self._process is not None:
            raise ProviderError("the provider is already running")
        node = require_node()
        self._dir = Path(tempfile.mkdtemp(prefix="oidc-provider-"))
        port = _free_port()
        issuer = f"http://127.0.0.1:{port}"
        config = self._dir / "config.json"
        config.write_text(
            json.dumps(
                {
                    "port": port,
                    "issuer": issuer,
                    "clients": [client.metadata() for client in self.clients],
                    "accounts": {login: dict(claims) for login, claims in self.accounts.items()},
                }
            ),
            encoding="utf-8",
        )
        stdout, stderr = self._dir / "stdout.log", self._dir / "stderr.log"
        with stdout.open("wb") as out, stderr.open("wb") as err:
            self._process = subprocess.Popen(
                [node, str(SCRIPT), str(config)],
                cwd=PROJECT_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        process = self._process
        deadline = time.monotonic() + START_TIMEOUT
        while f"ready {issuer}" not in stdout.read_text(encoding="utf-8", errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                reason = (
                    f"exited with {process.returncode}"
                    if process.returncode is not None
                    else f"was not ready within {START_TIMEOUT:.0f} s"
                )
                log = stderr.read_text(encoding="utf-8", errors="replace")
                self.stop()
                raise ProviderError(f"the OpenID provider (node {SCRIPT.name}) {reason}:\n{log}")
            time.sleep(0.02)
        self._issuer = issuer
        self._http = httpx.Client(base_url=issuer, timeout=10, verify=ssl_context())
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if self._http is not None:
            self._http.close()
            self._http = None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._issuer = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> OpenIdProvider:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def issuer(self) -> str:
        if self._issuer is None:
            raise ProviderError("the provider is not running")
        return self._issuer

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def discovery(self) -> dict[str, Any]:
        return self._request("GET", "/.well-known/openid-configuration").json()

    def jwks(self) -> dict[str, Any]:
        return self._request("GET", "/jwks").json()

    # --- the test-only control endpoints -------------------------------------------------

    def set_account(self, login: str, claims: Mapping[str, Any]) -> None:
        """Create or replace an account's claims; the next token (not a past one) has them."""
        self._request("PUT", f"/test/accounts/{login}", json=dict(claims))

    def reset_accounts(self) -> None:
        """The accounts back to those the provider started with."""
        self._request("POST", "/test/reset")

    def set_client(self, client: OidcClient) -> None:
        """Register a client, or replace the one with its client_id (e.g. a live server's)."""
        self._request("PUT", f"/test/clients/{client.client_id}", json=client.metadata())

    def rotate_keys(self) -> str:
        """A new signing key replaces the old one, which is no longer published; its kid."""
        return self._request("POST", "/test/rotate-keys").json()["kid"]

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self._http is None:
            raise ProviderError("the provider is not running")
        response = self._http.request(method, path, **kwargs)
        if response.is_error:
            raise ProviderError(f"{method} {path}: {response.status_code} {response.text}")
        return response


# --- a browser's part: the sign-in and sign-out pages ------------------------------------


@dataclass
class _Form:
    action: str
    method: str
    fields: dict[str, str]


class _FormParser(HTMLParser):
    """The forms of a page with their named inputs, and the text of its error paragraphs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self.errors: list[str] = []
        self._in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(
                _Form(attributes.get("action", ""), attributes.get("method", "get").lower(), {})
            )
        elif tag == "input" and self.forms and attributes.get("name"):
            self.forms[-1].fields[attributes["name"]] = attributes.get("value", "")
        elif "error" in attributes.get("class", "").split():
            self._in_error = True
            self.errors.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_error = False

    def handle_data(self, data: str) -> None:
        if self._in_error:
            self.errors[-1] += data


def _parse(response: httpx.Response) -> _FormParser:
    parser = _FormParser()
    parser.feed(response.text)
    return parser


def _origin(url: str | httpx.URL) -> tuple[str, str]:
    parts = urlsplit(str(url))
    return parts.scheme, parts.netloc


def _describe(response: httpx.Response) -> str:
    parser = _parse(response)
    detail = " ".join(error.strip() for error in parser.errors) or response.text[:500]
    return f"{response.request.method} {response.url} -> {response.status_code}: {detail}"


def _follow(
    browser: httpx.Client, response: httpx.Response, origin: tuple[str, str]
) -> httpx.Response | str:
    """Follow the provider's redirects; the first one away from it is returned as a URL."""
    for _ in range(20):
        if not response.is_redirect:
            return response
        location = urljoin(str(response.url), response.headers["location"])
        if _origin(location) != origin:
            return location
        response = browser.get(location)
    raise ProviderError(f"too many redirects at {response.url}")


def _submit(browser: httpx.Client, response: httpx.Response, form: _Form) -> httpx.Response:
    action = urljoin(str(response.url), form.action or str(response.url))
    if form.method == "post":
        return browser.post(action, data=form.fields)
    return browser.get(action, params=form.fields)


def sign_in_at_provider(
    authorize_url: str,
    login: str,
    password: str = "x",
    *,
    browser: httpx.Client | None = None,
) -> str:
    """Sign in at the provider's pages; the URL it sends the browser back to, not followed.

    That is the client's redirect_uri with `code`, `state` and `iss` (or `error`). Pass
    `browser` to keep the provider's session cookie (for a later `sign_out_at_provider`,
    or a second authorization that needs no form). Raises SignInRefused if the form refuses
    the login, ProviderError if the provider answers with anything but its pages.
    """
    origin = _origin(authorize_url)
    with _browser(browser) as client:
        result = _follow(client, client.get(authorize_url), origin)
        if isinstance(result, str):
            return result  # already signed in at the provider: no form
        form = _login_form(result)
        form.fields.update(login=login, password=password)
        submitted = _submit(client, result, form)
        if not submitted.is_redirect:
            raise SignInRefused(f"the provider refused {login!r}: {_describe(submitted)}")
        result = _follow(client, submitted, origin)
        if isinstance(result, str):
            return result
        raise ProviderError(f"no redirect back to the client after signing in: {_describe(result)}")


def sign_out_at_provider(end_session_url: str, *, browser: httpx.Client | None = None) -> str:
    """Go through RP-initiated logout; the URL the provider sends the browser on to.

    With a post_logout_redirect_uri that is it (with `state` if one was sent); without,
    the provider's own "signed out" page. The confirmation form is submitted as the
    browser's script would.
    """
    origin = _origin(end_session_url)
    with _browser(browser) as client:
        result = _follow(client, client.get(end_session_url), origin)
        if isinstance(result, str):
            return result
        forms = _parse(result).forms
        if result.status_code != 200 or not forms:
            raise ProviderError(f"no logout form: {_describe(result)}")
        submitted = _submit(client, result, forms[0])
        result = _follow(client, submitted, origin)
        if isinstance(result, str):
            return result
        if result.status_code == 200 and not _parse(result).forms:
            return str(result.url)  # the provider's own "signed out" page
        raise ProviderError(f"logout did not finish: {_describe(result)}")


def _login_form(response: httpx.Response) -> _Form:
    for form in _parse(response).forms:
        if "login" in form.fields:
            return form
    raise ProviderError(f"no sign-in form: {_describe(response)}")


@contextmanager
def _browser(given: httpx.Client | None) -> Iterator[httpx.Client]:
    """The given client, or a fresh one closed afterwards."""
    if given is not None:
        yield given
        return
    with httpx.Client(timeout=10, verify=ssl_context()) as client:
        yield client


# --- fixtures (registered in tests/conftest.py) -----------------------------------------


def _start(**kwargs: Any) -> OpenIdProvider:
    try:
        return OpenIdProvider(**kwargs).start()
    except ProviderError as error:
        message = str(error)
    pytest.fail(message, pytrace=False)  # not a skip: the suite needs the provider


@pytest.fixture(scope="session")
def oidc_provider_factory() -> Iterator[Callable[..., OpenIdProvider]]:
    """Start more providers (each its own issuer and keys), stopped at the session's end.

    Takes OpenIdProvider's arguments: `accounts` (default ACCOUNTS), `clients` (default
    one OidcClient with CLIENT_ID, CLIENT_SECRET and the testserver redirect URIs).
    """
    started: list[OpenIdProvider] = []

    def start(**kwargs: Any) -> OpenIdProvider:
        provider = _start(**kwargs)
        started.append(provider)
        return provider

    yield start
    for provider in started:
        provider.stop()


@pytest.fixture(scope="session")
def oidc_provider(oidc_provider_factory: Callable[..., OpenIdProvider]) -> OpenIdProvider:
    """The session's one provider: ACCOUNTS, and the client CLIENT_ID for http://testserver.

    Shared by every test: a test that changes an account should use a login of its own
    (set_account creates one), or reset_accounts() afterwards. Rotating keys is fine: a
    relying party refetches the JWKS on an unknown kid.
    """
    return oidc_provider_factory()


@pytest.fixture(scope="session")
def other_oidc_provider(oidc_provider_factory: Callable[..., OpenIdProvider]) -> OpenIdProvider:
    """A second provider with the same client and accounts but another issuer and keys."""
    return oidc_provider_factory()
