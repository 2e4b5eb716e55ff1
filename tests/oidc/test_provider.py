"""The test OpenID provider does what the sign-in tests rely on: discovery, the code flow
with PKCE, Entra-shaped ID tokens signed with the published keys, key rotation, changing
an account between two sign-ins, group overage, and RP-initiated logout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from tests.oidc.provider import (
    ACCOUNTS,
    ADMIN,
    ADMIN_GROUP,
    ADMIN_ROLE,
    BROKER,
    BROKER_GROUP,
    BROKER_ROLE,
    CLIENT_ID,
    CLIENT_SECRET,
    OVERAGE,
    TENANT_ID,
    TESTSERVER_POST_LOGOUT_REDIRECT_URIS,
    TESTSERVER_REDIRECT_URIS,
    OidcClient,
    OpenIdProvider,
    SignInRefused,
    entra_account,
    sign_in_at_provider,
    sign_out_at_provider,
    ssl_context,
)

REDIRECT_URI = TESTSERVER_REDIRECT_URIS[0]


@pytest.fixture(scope="module")
def scratch(oidc_provider_factory: Callable[..., OpenIdProvider]) -> OpenIdProvider:
    """A provider of this module's own, for the tests that reset it or add a client."""
    return oidc_provider_factory()


def rp(method: str = "client_secret_basic") -> OAuth2Client:
    return OAuth2Client(
        CLIENT_ID,
        CLIENT_SECRET,
        scope="openid profile email",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method=method,
        verify=ssl_context(),
    )


def sign_in(
    provider: OpenIdProvider,
    login: str,
    *,
    method: str = "client_secret_basic",
    browser: httpx.Client | None = None,
) -> dict[str, Any]:
    """The code flow as the app will run it; the token response and the nonce sent."""
    discovery = provider.discovery()
    client = rp(method)
    verifier = generate_token(48)
    nonce = generate_token(20)
    url, state = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    back = sign_in_at_provider(url, login, browser=browser)
    assert back.startswith(f"{REDIRECT_URI}?")
    query = parse_qs(urlsplit(back).query)
    assert query["state"] == [state]
    assert query["iss"] == [provider.issuer]
    token = client.fetch_token(
        discovery["token_endpoint"], authorization_response=back, code_verifier=verifier
    )
    return {**token, "nonce": nonce}


def id_token_claims(provider: OpenIdProvider, token: dict[str, Any]) -> dict[str, Any]:
    """The ID token's claims, its signature checked against the provider's JWKS."""
    decoded = jwt.decode(token["id_token"], KeySet.import_key_set(provider.jwks()))
    assert decoded.header["alg"] == "RS256"
    return {**decoded.claims, "kid": decoded.header["kid"]}


def test_discovery_names_the_endpoints_and_s256(oidc_provider: OpenIdProvider) -> None:
    response = httpx.get(oidc_provider.discovery_url, verify=ssl_context())
    assert response.status_code == 200
    discovery = response.json()
    issuer = oidc_provider.issuer
    assert discovery["issuer"] == issuer
    assert issuer.startswith("http://127.0.0.1:")
    for endpoint in ("authorization", "token", "end_session"):
        assert discovery[f"{endpoint}_endpoint"].startswith(f"{issuer}/")
    assert discovery["jwks_uri"].startswith(f"{issuer}/")
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert discovery["response_types_supported"] == ["code"]
    assert {"client_secret_basic", "client_secret_post"} <= set(
        discovery["token_endpoint_auth_methods_supported"]
    )


def test_admin_signs_in_with_an_entra_shaped_id_token(oidc_provider: OpenIdProvider) -> None:
    token = sign_in(oidc_provider, ADMIN)
    claims = id_token_claims(oidc_provider, token)
    admin = ACCOUNTS[ADMIN]
    assert claims["iss"] == oidc_provider.issuer
    assert claims["aud"] == CLIENT_ID
    assert claims["nonce"] == token["nonce"]
    assert claims["sub"] == ADMIN
    assert claims["oid"] == admin["oid"]
    assert claims["tid"] == TENANT_ID
    assert claims["preferred_username"] == admin["preferred_username"]
    assert claims["name"] == "Anna Admin"
    assert claims["email"] == admin["email"]
    assert claims["groups"] == [ADMIN_GROUP]
    assert claims["roles"] == [ADMIN_ROLE]
    assert "_claim_names" not in claims


def test_client_secret_post_is_accepted_too(oidc_provider: OpenIdProvider) -> None:
    token = sign_in(oidc_provider, BROKER, method="client_secret_post")
    assert id_token_claims(oidc_provider, token)["groups"] == [BROKER_GROUP]


def test_an_unknown_login_is_refused(oidc_provider: OpenIdProvider) -> None:
    url, _ = rp().create_authorization_url(
        oidc_provider.discovery()["authorization_endpoint"],
        code_verifier=generate_token(48),
        nonce="n",
    )
    with pytest.raises(SignInRefused, match="No account with the login name"):
        sign_in_at_provider(url, "okand.person")


def test_set_account_changes_the_next_token(oidc_provider: OpenIdProvider) -> None:
    # A login of this test's own: the session's provider is shared.
    login = "sara.switch"
    oid = "22222222-2222-4222-8222-000000000001"
    oidc_provider.set_account(login, entra_account(login, "Sara", oid=oid, groups=[BROKER_GROUP]))
    assert id_token_claims(oidc_provider, sign_in(oidc_provider, login))["groups"] == [BROKER_GROUP]

    oidc_provider.set_account(login, entra_account(login, "Sara", oid=oid, groups=[ADMIN_GROUP]))
    claims = id_token_claims(oidc_provider, sign_in(oidc_provider, login))
    assert claims["groups"] == [ADMIN_GROUP]
    assert claims["oid"] == oid


def test_reset_accounts_forgets_the_changes(scratch: OpenIdProvider) -> None:
    provider = scratch
    provider.set_account(ADMIN, entra_account(ADMIN, "Anna", oid="x", groups=[BROKER_GROUP]))
    provider.set_account("ny.person", entra_account("ny.person", "Ny", oid="y"))
    provider.reset_accounts()
    assert id_token_claims(provider, sign_in(provider, ADMIN))["groups"] == [ADMIN_GROUP]
    url, _ = rp().create_authorization_url(
        provider.discovery()["authorization_endpoint"], code_verifier=generate_token(48)
    )
    with pytest.raises(SignInRefused):
        sign_in_at_provider(url, "ny.person")


def test_rotate_keys_publishes_only_the_new_key_and_signs_with_it(
    oidc_provider: OpenIdProvider,
) -> None:
    before = id_token_claims(oidc_provider, sign_in(oidc_provider, ADMIN))
    issuer = oidc_provider.issuer

    kid = oidc_provider.rotate_keys()

    assert kid != before["kid"]
    assert [key["kid"] for key in oidc_provider.jwks()["keys"]] == [kid]
    assert oidc_provider.issuer == issuer
    token = sign_in(oidc_provider, ADMIN)
    assert id_token_claims(oidc_provider, token)["kid"] == kid


def test_a_token_from_the_other_provider_fails_against_this_ones_keys(
    oidc_provider: OpenIdProvider, other_oidc_provider: OpenIdProvider
) -> None:
    assert other_oidc_provider.issuer != oidc_provider.issuer
    token = sign_in(other_oidc_provider, ADMIN)
    assert id_token_claims(other_oidc_provider, token)["iss"] == other_oidc_provider.issuer
    with pytest.raises(JoseError):
        jwt.decode(token["id_token"], KeySet.import_key_set(oidc_provider.jwks()))


def test_group_overage_sends_a_pointer_instead_of_groups(oidc_provider: OpenIdProvider) -> None:
    claims = id_token_claims(oidc_provider, sign_in(oidc_provider, OVERAGE))
    assert "groups" not in claims
    assert claims["_claim_names"] == {"groups": "src1"}
    assert "endpoint" in claims["_claim_sources"]["src1"]
    assert claims["roles"] == [BROKER_ROLE]


def test_the_token_request_needs_the_code_verifier(oidc_provider: OpenIdProvider) -> None:
    discovery = oidc_provider.discovery()
    client = rp()
    url, _ = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=generate_token(48), nonce="n"
    )
    code = parse_qs(urlsplit(sign_in_at_provider(url, ADMIN)).query)["code"][0]
    response = httpx.post(
        discovery["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        auth=(CLIENT_ID, CLIENT_SECRET),
        verify=ssl_context(),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_an_authorization_request_without_pkce_is_refused(oidc_provider: OpenIdProvider) -> None:
    url = rp().create_authorization_url(oidc_provider.discovery()["authorization_endpoint"])[0]
    assert "code_challenge" not in url
    back = httpx.get(url, verify=ssl_context())
    assert back.is_redirect
    query = parse_qs(urlsplit(back.headers["location"]).query)
    assert query["error"] == ["invalid_request"]


def test_logout_with_client_id_reaches_the_post_logout_redirect(
    oidc_provider: OpenIdProvider,
) -> None:
    discovery = oidc_provider.discovery()
    post_logout = TESTSERVER_POST_LOGOUT_REDIRECT_URIS[0]
    with httpx.Client(verify=ssl_context()) as browser:
        token = sign_in(oidc_provider, ADMIN, browser=browser)
        # Signed in at the provider: a second authorization needs no form.
        url, _ = rp().create_authorization_url(
            discovery["authorization_endpoint"], code_verifier=generate_token(48)
        )
        assert "code=" in sign_in_at_provider(url, "ignored", browser=browser)

        end_session = discovery["end_session_endpoint"]
        logout = f"{end_session}?" + urlencode(
            {
                "client_id": CLIENT_ID,
                "post_logout_redirect_uri": post_logout,
                "id_token_hint": token["id_token"],
                "state": "s1",
            }
        )
        # The provider's confirmation page: a form the browser submits by itself.
        page = browser.get(logout)
        assert page.status_code == 200
        assert 'name="logout" value="yes"' in page.text
        assert "document.forms[0].submit()" in page.text

        assert sign_out_at_provider(logout, browser=browser) == f"{post_logout}?state=s1"

        # Signed out at the provider: the next authorization shows the form again.
        with pytest.raises(SignInRefused):
            sign_in_at_provider(url, "ignored", browser=browser)


def test_logout_without_a_session_at_the_provider(oidc_provider: OpenIdProvider) -> None:
    end_session = oidc_provider.discovery()["end_session_endpoint"]
    post_logout = TESTSERVER_POST_LOGOUT_REDIRECT_URIS[0]
    logout = f"{end_session}?" + urlencode(
        {"client_id": CLIENT_ID, "post_logout_redirect_uri": post_logout}
    )
    assert sign_out_at_provider(logout) == post_logout


def test_an_unregistered_post_logout_redirect_is_refused(oidc_provider: OpenIdProvider) -> None:
    end_session = oidc_provider.discovery()["end_session_endpoint"]
    logout = f"{end_session}?" + urlencode(
        {"client_id": CLIENT_ID, "post_logout_redirect_uri": "http://evil.example/"}
    )
    response = httpx.get(logout, verify=ssl_context())
    assert response.status_code == 400
    assert "post_logout_redirect_uri not registered" in response.text


def test_a_client_registered_later_signs_in(scratch: OpenIdProvider) -> None:
    provider = scratch
    live = "http://127.0.0.1:8123/login/sso/callback"
    provider.set_client(OidcClient(redirect_uris=[*TESTSERVER_REDIRECT_URIS, live]))
    client = OAuth2Client(
        CLIENT_ID,
        CLIENT_SECRET,
        scope="openid",
        redirect_uri=live,
        code_challenge_method="S256",
        verify=ssl_context(),
    )
    url, _ = client.create_authorization_url(
        provider.discovery()["authorization_endpoint"], code_verifier=generate_token(48)
    )
    assert sign_in_at_provider(url, BROKER).startswith(f"{live}?code=")
