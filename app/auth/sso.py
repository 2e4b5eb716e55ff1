"""Sign-in through the organisation's OpenID provider: the authorization code flow with
PKCE (RFC 7636), its ID token checked to the letter (OpenID Connect Core 3.1.3.7).

Authlib builds the authorization request and the PKCE challenge; joserfc (Authlib's
JOSE library) verifies the ID token. This module talks to the provider and knows no
database: the routes call it before their transaction begins, so no write waits on the
network, and every call has the configured timeout.

Between the redirect to the provider and its return, the request's state, nonce and code
verifier travel in a cookie encrypted with the app's secret key (A256GCM): no table, and
any instance behind a load balancer can finish what another began. The cookie lives ten
minutes and is used once: the callback deletes it, so a replayed return finds no state.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import errors as jose_errors
from joserfc import jwe, jwt
from joserfc.jwk import KeySet, OctKey

from app.config import Settings

PENDING_COOKIE = "matcha_sso"
PENDING_SECONDS = 600
# Asymmetric signatures only: an HS256 token would be signed with the client secret,
# and "none" is no signature at all.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
# Clocks differ a little between the provider and us.
LEEWAY_SECONDS = 60
# The provider's metadata and keys are kept this long; a token signed with a key we do
# not know makes us fetch the keys again at once (rotation), but not more often than
# every KEY_REFETCH_SECONDS, so forged tokens cannot make us hammer the provider.
METADATA_SECONDS = 3600
KEY_REFETCH_SECONDS = 30


class SsoFailed(Exception):
    """The sign-in cannot go on; `reason` is a security log reason code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Pending:
    """What the callback must find again: kept in the encrypted cookie."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    next_url: str = "/"
    # "login", or "link": a signed-in user linking their account (their session's id).
    purpose: str = "login"
    session_id: int | None = None
    expires: float = 0.0


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, from a verified ID token."""

    issuer: str
    subject: str
    name: str
    email: str | None
    preferred_username: str | None
    groups: tuple[str, ...]
    roles: tuple[str, ...]
    # Entra ID leaves the groups out for a member of more than 200 (its "overage").
    groups_left_out: bool = False


@dataclass
class _Cache:
    metadata: dict[str, Any] | None = None
    metadata_at: float = 0.0
    keys: KeySet | None = None
    keys_at: float = 0.0
    # When a token's unknown key last made us fetch the keys ahead of time.
    refetched_at: float = -float(KEY_REFETCH_SECONDS)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Provider:
    """One configured provider; kept with the app (its cache lives as long as it)."""

    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None):
        self.settings = settings
        self.discovery_url = settings.oidc_discovery_url or (
            settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
        )
        self._cache = _Cache()
        self._http = httpx.Client(
            timeout=settings.oidc_timeout_seconds, transport=transport, follow_redirects=False
        )
        secret = settings.resolved_secret_key().encode()
        self._cookie_key = OctKey.import_key(hashlib.sha256(b"matcha-sso:" + secret).digest())

    # --- the provider's metadata and keys -------------------------------------------------

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = self._http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            found = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise SsoFailed("provider", f"{url}: {type(error).__name__}") from None
        if not isinstance(found, dict):
            raise SsoFailed("provider", f"{url}: not a JSON object")
        return found

    def metadata(self) -> dict[str, Any]:
        cache = self._cache
        with cache.lock:
            if (
                cache.metadata is not None
                and time.monotonic() - cache.metadata_at < METADATA_SECONDS
            ):
                return cache.metadata
        found = self._get_json(self.discovery_url)
        # OpenID Connect Discovery 4.3: the issuer in the metadata is exactly the one
        # configured, or the metadata is not to be used.
        if found.get("issuer") != self.settings.oidc_issuer:
            raise SsoFailed("provider", "the metadata's issuer is not the one configured")
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(found.get(key), str):
                raise SsoFailed("provider", f"the metadata has no {key}")
        with cache.lock:
            cache.metadata, cache.metadata_at = found, time.monotonic()
        return found

    def _keys(self, *, refresh: bool = False) -> KeySet:
        cache = self._cache
        with cache.lock:
            now = time.monotonic()
            if cache.keys is not None:
                if not refresh and now - cache.keys_at < METADATA_SECONDS:
                    return cache.keys
                if refresh and now - cache.refetched_at < KEY_REFETCH_SECONDS:
                    return cache.keys
            if refresh:
                cache.refetched_at = now
        found = self._get_json(self.metadata()["jwks_uri"])
        try:
            keys = KeySet.import_key_set(found)  # type: ignore[arg-type]
        except (jose_errors.JoseError, ValueError, KeyError, TypeError):
            raise SsoFailed("provider", "the provider's keys could not be read") from None
        with cache.lock:
            cache.keys, cache.keys_at = keys, time.monotonic()
        return keys

    def end_session_endpoint(self) -> str | None:
        try:
            endpoint = self.metadata().get("end_session_endpoint")
        except SsoFailed:
            return None
        return endpoint if isinstance(endpoint, str) else None

    # --- the request to the provider ------------------------------------------------------

    def begin(
        self,
        *,
        redirect_uri: str,
        next_url: str = "/",
        purpose: str = "login",
        session_id: int | None = None,
    ) -> tuple[str, str]:
        """The provider's authorization URL and the cookie value that goes with it."""
        pending = Pending(
            state=generate_token(43),
            nonce=generate_token(43),
            code_verifier=generate_token(64),
            redirect_uri=redirect_uri,
            next_url=next_url,
            purpose=purpose,
            session_id=session_id,
            expires=time.time() + PENDING_SECONDS,
        )
        url = prepare_grant_uri(
            self.metadata()["authorization_endpoint"],
            self.settings.oidc_client_id,
            "code",
            redirect_uri=redirect_uri,
            scope=self.settings.oidc_scopes,
            state=pending.state,
            nonce=pending.nonce,
            code_challenge=create_s256_code_challenge(pending.code_verifier),
            code_challenge_method="S256",
        )
        return url, self._seal(pending)

    def _seal(self, pending: Pending) -> str:
        payload = json.dumps(pending.__dict__).encode()
        return jwe.encrypt_compact({"alg": "dir", "enc": "A256GCM"}, payload, self._cookie_key)

    def unseal(self, cookie: str | None) -> Pending:
        """The pending request from its cookie; refused when absent, forged or stale.
        Its age is told by the wall clock: it is the protocol's, not the app's time."""
        if not cookie:
            raise SsoFailed("state", "no sign-in under way (used already, or another browser)")
        try:
            plain = jwe.decrypt_compact(cookie, self._cookie_key).plaintext
            pending = Pending(**json.loads(plain or b""))
        except (jose_errors.JoseError, ValueError, TypeError):
            raise SsoFailed("state", "the sign-in cookie cannot be read") from None
        if pending.expires < time.time():
            raise SsoFailed("state", "the sign-in took longer than ten minutes")
        return pending

    # --- the provider's answer ------------------------------------------------------------

    def complete(self, params: dict[str, str], pending: Pending, *, now: dt.datetime) -> Identity:
        """Checks the provider's answer (`params`: the callback's query), exchanges the
        code and verifies the ID token; the identity it names, or SsoFailed."""
        state = params.get("state", "")
        if not hmac.compare_digest(state.encode(), pending.state.encode()):
            raise SsoFailed("state", "the answer's state is not the request's")
        if params.get("error"):
            raise SsoFailed("provider", f"the provider answered {params['error']}")
        code = params.get("code")
        if not code:
            raise SsoFailed("provider", "the answer has no code")
        id_token = self._exchange(code, pending)
        return self.verify(id_token, nonce=pending.nonce, now=now)

    def _exchange(self, code: str, pending: Pending) -> str:
        metadata = self.metadata()
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pending.redirect_uri,
            "code_verifier": pending.code_verifier,
        }
        methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        client_id, secret = self.settings.oidc_client_id, self.settings.oidc_client_secret
        headers = {"Accept": "application/json"}
        if "client_secret_basic" in methods:
            # RFC 6749 2.3.1: both form-encoded before they go into the header.
            basic = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(basic.encode()).decode()
        else:
            data |= {"client_id": client_id, "client_secret": secret}
        try:
            response = self._http.post(metadata["token_endpoint"], data=data, headers=headers)
            answer = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise SsoFailed("provider", f"token endpoint: {type(error).__name__}") from None
        if response.status_code != 200 or not isinstance(answer, dict):
            said = answer.get("error") if isinstance(answer, dict) else None
            raise SsoFailed("provider", f"token endpoint refused: {said or response.status_code}")
        id_token = answer.get("id_token")
        if not isinstance(id_token, str):
            raise SsoFailed("token", "the token answer has no ID token")
        return id_token

    def verify(self, id_token: str, *, nonce: str, now: dt.datetime) -> Identity:
        """OpenID Connect Core 3.1.3.7: signature by the provider's key, issuer, audience
        (and azp when there are several), expiry and issue time, nonce."""
        algorithms = self._algorithms()
        try:
            token = self._decode(id_token, algorithms, refresh=False)
        except (jose_errors.BadSignatureError, jose_errors.InvalidKeyIdError, ValueError):
            # Perhaps a key the provider has rotated in since we fetched them.
            token = self._decode(id_token, algorithms, refresh=True)
        claims = token.claims
        registry = jwt.JWTClaimsRegistry(
            now=int(now.timestamp()),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.settings.oidc_issuer},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
        )
        try:
            registry.validate(claims)
        except jose_errors.ExpiredTokenError:
            raise SsoFailed("token", "the ID token has expired") from None
        except jose_errors.JoseError as error:
            raise SsoFailed("token", f"claim check: {error.error}") from None
        if int(claims["iat"]) > now.timestamp() + LEEWAY_SECONDS:
            raise SsoFailed("token", "the ID token is issued in the future")
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        client_id = self.settings.oidc_client_id
        if client_id not in audiences:
            raise SsoFailed("token", "the ID token is not for this client")
        if len(audiences) > 1 and claims.get("azp") != client_id:
            raise SsoFailed("token", "the ID token's authorized party is another client")
        if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
            raise SsoFailed("nonce", "the ID token's nonce is not the request's")
        return self._identity(claims)

    def _algorithms(self) -> list[str]:
        offered = self.metadata().get("id_token_signing_alg_values_supported") or ["RS256"]
        allowed = [name for name in offered if name in SIGNING_ALGORITHMS]
        if not allowed:
            raise SsoFailed("provider", "the provider signs with no algorithm we accept")
        return allowed

    def _decode(self, id_token: str, algorithms: list[str], *, refresh: bool) -> jwt.Token:
        keys = self._keys(refresh=refresh)
        try:
            return jwt.decode(id_token, keys, algorithms=algorithms)
        except (jose_errors.BadSignatureError, jose_errors.InvalidKeyIdError):
            if refresh:
                raise SsoFailed("token", "the ID token's signature is not the provider's") from None
            raise
        except ValueError:
            # joserfc: a kid that no key in the set has.
            if refresh:
                raise SsoFailed("token", "the ID token is signed with an unknown key") from None
            raise
        except jose_errors.JoseError as error:
            raise SsoFailed("token", f"the ID token cannot be read: {error.error}") from None

    def _identity(self, claims: dict[str, Any]) -> Identity:
        settings = self.settings
        subject = claims.get(settings.oidc_subject_claim)
        if not isinstance(subject, str) or not subject:
            raise SsoFailed("token", f"the ID token has no {settings.oidc_subject_claim} claim")
        names = claims.get("_claim_names")
        left_out = isinstance(names, dict) and settings.oidc_groups_claim in names
        return Identity(
            issuer=str(claims["iss"]),
            subject=subject,
            name=_text(claims.get("name")) or _text(claims.get("preferred_username")) or subject,
            email=_text(claims.get("email")),
            preferred_username=_text(claims.get("preferred_username")),
            groups=_strings(claims.get(settings.oidc_groups_claim)),
            roles=_strings(claims.get(settings.oidc_roles_claim)),
            groups_left_out=left_out,
        )

    def logout_url(self, post_logout_redirect_uri: str) -> str | None:
        """RP-initiated logout at the provider, if it offers it (OpenID Connect RP-Initiated
        Logout 1.0): our client id and where to come back."""
        endpoint = self.end_session_endpoint()
        if endpoint is None:
            return None
        query = urlencode(
            {
                "client_id": self.settings.oidc_client_id,
                "post_logout_redirect_uri": post_logout_redirect_uri,
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    def close(self) -> None:
        self._http.close()


def _text(value: Any) -> str | None:
    return value.strip()[:254] or None if isinstance(value, str) else None


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(item) for item in value if isinstance(item, str | int))
    return ()
