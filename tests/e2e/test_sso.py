"""Signing in through the organisation's OpenID provider in the browser: Chromium on the
provider's own sign-in page (tests/oidc/provider.mjs, another origin), back to Matcha
signed in; signing out there too; a refusal; passwords turned off but for the break-glass
admin; and a local user linking their account."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Frame, Page, expect

from app.clock import STOCKHOLM
from tests.e2e.support import (
    ADMIN_FULL_NAME,
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    LiveServer,
    check_accessibility,
    log_in,
    log_out,
    run_live_server,
)
from tests.oidc.provider import (
    ADMIN_GROUP,
    BROKER,
    BROKER_GROUP,
    BROKER_ROLE,
    CLIENT_ID,
    CLIENT_SECRET,
    NOGROUP,
    TESTSERVER_POST_LOGOUT_REDIRECT_URIS,
    TESTSERVER_REDIRECT_URIS,
    VIEWER_ROLE,
    OidcClient,
    OpenIdProvider,
    entra_account,
)

pytestmark = pytest.mark.e2e

LABEL = "Kommunens konto"
SSO_BUTTON = f"Logga in med {LABEL}"
PHONE = {"width": 390, "height": 844}


def sso_env(provider: OpenIdProvider, **more: str) -> dict[str, str]:
    return {
        "MATCHA_OIDC_ISSUER": provider.issuer,
        "MATCHA_OIDC_CLIENT_ID": CLIENT_ID,
        "MATCHA_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "MATCHA_OIDC_LABEL": LABEL,
        "MATCHA_OIDC_ADMIN_GROUPS": ADMIN_GROUP,
        "MATCHA_OIDC_BROKER_GROUPS": f"{BROKER_GROUP},{BROKER_ROLE}",
        "MATCHA_OIDC_VIEWER_GROUPS": VIEWER_ROLE,
        **more,
    }


@pytest.fixture(scope="module")
def register(oidc_provider: OpenIdProvider) -> Iterator[Callable[[LiveServer], None]]:
    """Registers a live server's addresses with the provider's client, next to the
    in-process app's (http://testserver), which other tests use; those alone afterwards."""
    servers: list[str] = []

    def add(server: LiveServer) -> None:
        servers.append(server.url)
        oidc_provider.set_client(
            OidcClient(
                redirect_uris=[
                    *TESTSERVER_REDIRECT_URIS,
                    *(f"{url}/login/sso/callback" for url in servers),
                ],
                post_logout_redirect_uris=[
                    *TESTSERVER_POST_LOGOUT_REDIRECT_URIS,
                    *(f"{url}/login" for url in servers),
                ],
            )
        )

    yield add
    oidc_provider.set_client(OidcClient())


@pytest.fixture(scope="module")
def sso_server(
    tmp_path_factory: pytest.TempPathFactory,
    oidc_provider: OpenIdProvider,
    register: Callable[[LiveServer], None],
) -> Iterator[LiveServer]:
    """SSO on, local passwords too; an admin so that the login page is not first-run's."""
    with run_live_server(tmp_path_factory.mktemp("sso"), sso_env(oidc_provider)) as server:
        server.create_user(ADMIN_USERNAME, full_name=ADMIN_FULL_NAME, role="admin")
        register(server)
        yield server


@pytest.fixture(scope="module")
def passwords_off_server(
    tmp_path_factory: pytest.TempPathFactory,
    oidc_provider: OpenIdProvider,
    register: Callable[[LiveServer], None],
) -> Iterator[LiveServer]:
    """Local passwords off, but for the admin named as break-glass."""
    env = sso_env(
        oidc_provider,
        MATCHA_LOCAL_PASSWORDS="false",
        MATCHA_BREAK_GLASS_ADMINS=ADMIN_USERNAME,
    )
    with run_live_server(tmp_path_factory.mktemp("sso-off"), env) as server:
        server.create_user(ADMIN_USERNAME, full_name=ADMIN_FULL_NAME, role="admin")
        register(server)
        yield server


@pytest.fixture
def server(sso_server: LiveServer) -> LiveServer:
    return sso_server


def at_provider(page: Page, provider: OpenIdProvider) -> None:
    """The browser is on the provider's sign-in page (its origin, not Matcha's)."""
    expect(page).to_have_url(re.compile("^" + re.escape(provider.issuer) + "/interaction/"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def sign_in_at_provider(
    page: Page, server: LiveServer, provider: OpenIdProvider, login: str
) -> None:
    at_provider(page, provider)
    # The provider signs its tokens with the wall clock's time: the server's clock agrees.
    server.set_clock(dt.datetime.now(STOCKHOLM))
    page.get_by_label("Login name").fill(login)
    page.get_by_label("Password").fill("vilket lösenord som helst")
    page.get_by_role("button", name="Sign in").click()


def account_field(page: Page, term: str) -> str:
    return page.locator("dt", has_text=re.compile(f"^{term}$")).locator("+ dd").inner_text()


def test_sign_in_at_the_provider_and_out_of_both(
    page: Page, server: LiveServer, oidc_provider: OpenIdProvider
) -> None:
    page.goto("/login")
    sso_button = page.get_by_role("button", name=SSO_BUTTON)
    expect(sso_button).to_be_visible()
    # Local passwords are on: the form is there too, under its own heading.
    expect(page.get_by_role("heading", name="Eller med användarnamn och lösenord")).to_be_visible()
    check_accessibility(page)

    sso_button.click()
    sign_in_at_provider(page, server, oidc_provider, BROKER)
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", name="Min dag", exact=True)).to_be_visible()
    name = page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Bertil Broker"
    )
    expect(name).to_be_visible()
    check_accessibility(page)

    name.click()
    expect(page).to_have_url("/account")
    assert account_field(page, "Roll") == "Jobbmäklare"
    assert account_field(page, "Användarnamn") == "bertil.broker"
    expect(page.locator("#sso-linked")).to_contain_text(f"Logga in med {LABEL}")
    # Made by the provider's sign-in: no password of its own to change.
    expect(page.get_by_role("heading", name="Byt lösenord")).to_have_count(0)
    check_accessibility(page)

    # Signing out passes through the provider's end-session page (which confirms itself)
    # and comes back to Matcha's login page.
    passed: list[str] = []
    blocked: list[str] = []

    def navigated(frame: Frame) -> None:
        if frame == page.main_frame:
            passed.append(frame.url)

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    page.on("framenavigated", navigated)
    page.on("console", console)
    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url("/login")
    assert not blocked, blocked
    assert any(url.startswith(f"{oidc_provider.issuer}/session/end") for url in passed), passed
    expect(page.get_by_role("status")).to_contain_text("Du är utloggad.")
    check_accessibility(page)

    # Matcha's session has ended...
    page.goto("/account")
    expect(page).to_have_url("/login?next=/account")
    # ...and the provider's: it asks who is signing in again.
    page.get_by_role("button", name=SSO_BUTTON).click()
    at_provider(page, oidc_provider)
    expect(page.get_by_label("Login name")).to_be_empty()


def test_an_account_in_no_mapped_group_is_refused(
    page: Page, server: LiveServer, oidc_provider: OpenIdProvider
) -> None:
    page.goto("/login")
    page.get_by_role("button", name=SSO_BUTTON).click()
    with page.expect_response(lambda r: "/login/sso/callback" in r.url) as answer:
        sign_in_at_provider(page, server, oidc_provider, NOGROUP)
    assert answer.value.status == 403
    expect(page.get_by_role("heading", name="Inloggningen misslyckades")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("ger ingen behörighet till Matcha")
    # Not signed in: no menu of a user, a way back to the login page.
    expect(page.get_by_role("button", name="Logga ut")).to_have_count(0)
    check_accessibility(page)
    page.get_by_role("link", name="Till inloggningen").click()
    expect(page).to_have_url("/login")


def test_the_login_page_with_the_button_fits_a_phone(
    new_context: Callable[..., BrowserContext], server: LiveServer
) -> None:
    page = new_context(base_url=server.url, viewport=PHONE).new_page()
    page.goto("/login")
    expect(page.get_by_role("button", name=SSO_BUTTON)).to_be_visible()
    scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"the login page is {scroll} px wide at {inner} px"
    check_accessibility(page)


def test_a_local_user_links_their_account_and_signs_in_through_it(
    page: Page, server: LiveServer, oidc_provider: OpenIdProvider
) -> None:
    # A broker who has used Matcha with a password; at the provider under another name.
    password = server.create_user("lena", full_name="Lena Lindqvist")
    oidc_provider.set_account(
        "lena.lindqvist",
        entra_account(
            "lena.lindqvist",
            "Lena Lindqvist",
            oid="11111111-1111-4111-8111-0000000000e2",
            groups=[BROKER_GROUP],
        ),
    )
    log_in(page, "lena", password)
    page.goto("/account")
    expect(page.get_by_role("heading", name="Organisationens inloggning")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("button", name=f"Koppla till {LABEL}").click()
    sign_in_at_provider(page, server, oidc_provider, "lena.lindqvist")
    expect(page).to_have_url("/account")
    expect(page.get_by_role("status")).to_contain_text("Ditt konto är kopplat.")
    expect(page.locator("#sso-linked")).to_be_visible()
    expect(page.get_by_role("button", name=f"Koppla till {LABEL}")).to_have_count(0)
    check_accessibility(page)

    # A session begun with a password ends at Matcha only.
    log_out(page)
    server.set_clock(dt.datetime.now(STOCKHOLM))
    page.get_by_role("button", name=SSO_BUTTON).click()
    # Still signed in at the provider from the linking: straight back, no form there.
    expect(page).to_have_url("/")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Lena Lindqvist"
    ).click()
    assert account_field(page, "Användarnamn") == "lena"
    assert account_field(page, "Namn") == "Lena Lindqvist"
    assert account_field(page, "Roll") == "Jobbmäklare"
    # Her password stays hers.
    expect(page.get_by_role("heading", name="Byt lösenord")).to_be_visible()


def test_with_passwords_off_the_break_glass_admin_still_uses_one(
    new_context: Callable[..., BrowserContext], passwords_off_server: LiveServer
) -> None:
    page = new_context(base_url=passwords_off_server.url).new_page()
    page.goto("/login")
    expect(page.get_by_role("button", name=SSO_BUTTON)).to_be_visible()
    fallback = page.locator("details", has=page.get_by_text("Reservinloggning för administratörer"))
    username = page.get_by_label("Användarnamn")
    # The password form is folded away.
    expect(fallback).not_to_have_attribute("open", "")
    expect(username).to_be_hidden()
    check_accessibility(page)

    # Opened with the keyboard.
    page.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(fallback).to_have_attribute("open", "")
    expect(username).to_be_visible()
    check_accessibility(page)

    username.fill(ADMIN_USERNAME)
    page.get_by_label("Lösenord", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page).to_have_url("/")
    expect(
        page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name=ADMIN_FULL_NAME)
    ).to_be_visible()


def test_with_passwords_off_a_brokers_password_is_refused_with_the_reason(
    new_context: Callable[..., BrowserContext], passwords_off_server: LiveServer
) -> None:
    password = passwords_off_server.create_user("bodil")
    page = new_context(base_url=passwords_off_server.url).new_page()
    page.goto("/login")
    page.get_by_text("Reservinloggning för administratörer").click()
    page.get_by_label("Användarnamn").fill("bodil")
    page.get_by_label("Lösenord", exact=True).fill(password)
    page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(
        f"Inloggning med lösenord är avstängd. Logga in med {LABEL}.", timeout=2000
    )
    expect(page).to_have_url("/login")
