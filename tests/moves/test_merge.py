"""Merging two companies: the preview, what moves and what is filled, the archived other,
the history of both, the refusals, and who may merge."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlmodel import select

from app.companies import service as companies
from app.companies.models import Company
from app.contacts import service as contacts
from app.contacts.models import Contact
from app.errors import Conflict, ValidationFailed
from app.history.models import AuditEvent
from app.moves import merge as merging
from tests.factories import PASSWORD, make_company, make_user
from tests.statements import recorded


@pytest.fixture
def broker(session, clock):
    return make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")


def add_contact(session, clock, company, user, name, **fields):
    contact = contacts.create(
        company, contacts.ContactForm(name=name, **fields), user=user, session=session, clock=clock
    )
    session.commit()
    return contact


def do_merge(session, clock, kept, other, user):
    plan = merging.merge(
        kept,
        other,
        kept_version=kept.version,
        other_version=other.version,
        user=user,
        session=session,
        clock=clock,
    )
    session.commit()
    return plan


def events(session, entity, entity_id):
    return session.exec(
        select(AuditEvent)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.id)
    ).all()


def count_queries(session):
    return recorded(session.get_bind().engine)


# --- the service ------------------------------------------------------------------------


def test_merge_moves_contacts_and_tags_and_fills_only_empty_fields(session, clock, broker):
    kept = make_company(
        session,
        clock,
        user=broker,
        name="Ängelholms Bygg AB",
        phone="0431-123 45",
        city="Ängelholm",
        tags="Bygg, jobbspar",
    )
    other = make_company(
        session,
        clock,
        user=broker,
        name="Ängelholms Bygg Aktiebolag",
        org_number="556036-0793",
        phone="0431-999 99",
        email="info@angelbygg.example",
        street_address="Storgatan 1",
        postal_code="26232",
        city="Helsingborg",
        industry="Byggverksamhet",
        sni_code="41200",
        tags="bygg, Lokalt jobbspår",
    )
    anna = add_contact(session, clock, other, broker, "Anna Åberg", title="VD")
    bengt = add_contact(session, clock, other, broker, "Bengt Öst")
    kept_version, other_version = kept.version, other.version

    do_merge(session, clock, kept, other, broker)
    session.expire_all()

    kept, other = session.get(Company, kept.id), session.get(Company, other.id)
    moved = session.exec(select(Contact).where(Contact.company_id == kept.id)).all()
    assert {c.name for c in moved} == {"Anna Åberg", "Bengt Öst"}
    assert companies.tag_names(kept.id, session=session) == ["Bygg", "jobbspar", "Lokalt jobbspår"]
    # Empty fields are filled; the kept company's own values are never overwritten, and an
    # address is not pieced together from two companies (the kept one has a city).
    assert kept.phone == "0431-123 45"
    assert kept.city == "Ängelholm" and kept.street_address is None and kept.postal_code is None
    assert kept.email == "info@angelbygg.example"
    assert (kept.industry, kept.sni_code) == ("Byggverksamhet", "41.200")
    # The org.nr moves, and the kept company is found by it.
    assert kept.org_number == "556036-0793" and other.org_number is None
    assert "5560360793" in kept.search_text and "5560360793" not in other.search_text
    assert other.archived_at is not None and other.merged_into_id == kept.id
    assert kept.archived_at is None
    assert (kept.version, other.version) == (kept_version + 1, other_version + 1)
    assert {anna.id, bengt.id} == {c.id for c in moved}


def test_history_of_both_companies_says_so(session, clock, broker):
    kept = make_company(session, clock, user=broker, name="Kvarnen AB")
    other = make_company(session, clock, user=broker, name="Kvarnen i Lund AB", phone="046-1234")
    contact = add_contact(session, clock, other, broker, "Cilla Ek")

    do_merge(session, clock, kept, other, broker)

    kept_event = events(session, "company", kept.id)[-1]
    assert kept_event.action == "merge" and kept_event.user_id == broker.id
    assert kept_event.changes["merged_from"] == [None, "Kvarnen i Lund AB"]
    assert kept_event.changes["phone"] == [None, "046-1234"]
    assert kept_event.version == session.get(Company, kept.id).version
    other_event = events(session, "company", other.id)[-1]
    assert other_event.action == "merge"
    assert other_event.changes == {"merged_into": [None, "Kvarnen AB"]}
    contact_event = events(session, "contact", contact.id)[-1]
    assert contact_event.action == "update" and contact_event.company_id == kept.id
    assert contact_event.changes["merged_from"] == [None, "Kvarnen i Lund AB"]


def test_the_kept_primary_contact_stays_the_only_one(session, clock, broker):
    kept = make_company(session, clock, user=broker, name="Alfa AB")
    other = make_company(session, clock, user=broker, name="Alfa Aktiebolag")
    mine = add_contact(session, clock, kept, broker, "Mia", is_primary=True)
    theirs = add_contact(session, clock, other, broker, "Tor", is_primary=True)

    do_merge(session, clock, kept, other, broker)
    session.expire_all()

    assert session.get(Contact, mine.id).is_primary
    assert not session.get(Contact, theirs.id).is_primary
    assert events(session, "contact", theirs.id)[-1].changes["is_primary"] == [True, False]


def test_a_merge_that_fills_nothing_still_gives_the_kept_company_a_new_version(
    session, clock, broker
):
    kept = make_company(session, clock, user=broker, name="Beta AB", phone="08-1")
    other = make_company(session, clock, user=broker, name="Beta Aktiebolag", tags="ny")
    version = kept.version

    plan = do_merge(session, clock, kept, other, broker)

    assert plan.filled == {}
    session.expire_all()
    assert session.get(Company, kept.id).version == version + 1
    assert events(session, "company", kept.id)[-1].changes["tags"] == ["", "ny"]


def test_the_plan_is_what_the_merge_does(session, clock, broker):
    kept = make_company(session, clock, user=broker, name="Gamma AB", city="Lund")
    other = make_company(
        session,
        clock,
        user=broker,
        name="Gamma Aktiebolag",
        city="Malmö",
        website="gamma.example",
        owner_id=str(broker.id),
        tags="handel",
    )
    add_contact(session, clock, other, broker, "Ola")

    plan = merging.plan(kept, other, session=session)

    assert plan.filled == {"website": "https://gamma.example", "owner_id": broker.id}
    assert plan.not_taken == {"city": "Malmö"}
    assert dict(plan.shown(plan.filled)) == {"website": "https://gamma.example", "owner": "Bo Ek"}
    assert [(m.label, m.names) for m in plan.moving] == [
        ("Kontaktpersoner", ["Ola"]),
        ("Taggar", ["handel"]),
        ("Kontakthändelser", []),
        ("Rekryteringsuppdrag", []),
        ("Avtal", []),
    ]


def test_refusals(session, clock, broker):
    kept = make_company(session, clock, user=broker, name="Delta AB")
    other = make_company(session, clock, user=broker, name="Delta Aktiebolag")
    archived = make_company(session, clock, user=broker, name="Delta HB")
    companies.archive(archived, user=broker, session=session, clock=clock)
    session.commit()

    with pytest.raises(ValidationFailed, match="sig självt"):
        merging.plan(kept, kept, session=session)
    with pytest.raises(Conflict, match="Arkiverade"):
        merging.plan(kept, archived, session=session)
    with pytest.raises(Conflict, match="Arkiverade"):
        merging.plan(archived, kept, session=session)
    with pytest.raises(merging.StaleMerge):
        merging.merge(
            kept,
            other,
            kept_version=kept.version,
            other_version=other.version - 1,
            user=broker,
            session=session,
            clock=clock,
        )
    session.rollback()
    session.expire_all()
    assert session.get(Company, other.id).archived_at is None


def test_a_save_between_reading_and_merging_is_caught(session, clock, broker):
    kept = make_company(session, clock, user=broker, name="Theta AB")
    other = make_company(session, clock, user=broker, name="Theta HB")
    kept_version, other_version = kept.version, other.version
    # Someone else saves the other company after this request read it.
    session.execute(update(Company).where(Company.id == other.id).values(version=other_version + 1))

    with pytest.raises(merging.StaleMerge):
        merging.merge(
            kept,
            other,
            kept_version=kept_version,
            other_version=other_version,
            user=broker,
            session=session,
            clock=clock,
        )
    session.rollback()
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "merge")).all() == []


def test_the_preview_takes_the_same_number_of_queries_for_many_contacts(session, clock, broker):
    def queries_for_preview(contact_count: int) -> int:
        kept = make_company(session, clock, user=broker, tags="a")
        other = make_company(session, clock, user=broker, tags="b", owner_id=str(broker.id))
        for number in range(contact_count):
            add_contact(session, clock, other, broker, f"Person {number}")
        session.expire_all()
        kept, other = session.get(Company, kept.id), session.get(Company, other.id)
        with count_queries(session) as statements:
            merging.plan(kept, other, session=session)
        return len(statements)

    few, many = queries_for_preview(1), queries_for_preview(12)
    assert 0 < few == many


# --- over HTTP --------------------------------------------------------------------------


def test_search_and_preview_then_merge(client, session, clock, broker):
    kept = make_company(session, clock, user=broker, name="Ängelholms Bygg AB")
    other = make_company(
        session, clock, user=broker, name="Ängelholms Byggtjänst", email="a@bygg.example"
    )
    gone = make_company(session, clock, user=broker, name="Ängelholms Byggnad")
    companies.archive(gone, user=broker, session=session, clock=clock)
    session.commit()
    add_contact(session, clock, other, broker, "Anna Åberg")
    client.login("bo", PASSWORD)

    assert f"/companies/{kept.id}/merge" in client.get(f"/companies/{kept.id}").text
    found = client.get(f"/companies/{kept.id}/merge?q=angelholms").text
    assert f"other_id={other.id}" in found
    assert f"other_id={kept.id}" not in found and f"other_id={gone.id}" not in found
    fragment = client.get(
        f"/companies/{kept.id}/merge?q=byggtj", headers={"HX-Request": "true"}
    ).text
    assert fragment.lstrip().startswith('<div id="candidates"') and "Byggtjänst" in fragment

    preview = client.get(f"/companies/{kept.id}/merge?other_id={other.id}")
    assert preview.status_code == 200
    assert "Anna Åberg" in preview.text and "a@bygg.example" in preview.text
    assert f'/companies/{other.id}/merge?other_id={kept.id}"' in preview.text  # swap
    assert f'name="kept_version" value="{kept.version}"' in preview.text

    merged = client.post_form(
        f"/companies/{kept.id}/merge",
        {"other_id": other.id, "kept_version": kept.version, "other_version": other.version},
        token_from=f"/companies/{kept.id}/merge?other_id={other.id}",
    )
    assert merged.status_code == 303
    assert merged.headers["location"] == f"/companies/{kept.id}"
    page = client.get(merged.headers["location"]).text
    assert "Ängelholms Byggtjänst är sammanslaget med Ängelholms Bygg AB och arkiverat." in page
    assert "slog samman" in page and "Anna Åberg" in page
    archived_page = client.get(f"/companies/{other.id}").text
    assert "Sammanslaget med" in archived_page and f'href="/companies/{kept.id}"' in archived_page


def test_a_stale_preview_is_refused_and_shown_again(app, client, session, clock, broker):
    kept = make_company(session, clock, user=broker, name="Epsilon AB")
    other = make_company(session, clock, user=broker, name="Epsilon Aktiebolag")
    client.login("bo", PASSWORD)
    token_page = f"/companies/{kept.id}/merge?other_id={other.id}"
    stale = {"other_id": other.id, "kept_version": kept.version, "other_version": other.version}
    companies.update(
        other,
        companies.CompanyForm(name="Epsilon Aktiebolag", phone="08-123", version=other.version),
        user=broker,
        session=session,
        clock=clock,
    )
    session.commit()

    refused = client.post_form(f"/companies/{kept.id}/merge", stale, token_from=token_page)

    assert refused.status_code == 409
    assert "har ändrats sedan du såg förhandsgranskningen" in refused.text
    assert f'name="other_version" value="{other.version}"' in refused.text  # the new preview
    session.expire_all()
    assert session.get(Company, other.id).archived_at is None


def test_merging_with_itself_or_an_archived_company_is_refused(client, session, clock, broker):
    kept = make_company(session, clock, user=broker, name="Zeta AB")
    gone = make_company(session, clock, user=broker, name="Zeta HB")
    companies.archive(gone, user=broker, session=session, clock=clock)
    session.commit()
    client.login("bo", PASSWORD)

    itself = client.post_form(
        f"/companies/{kept.id}/merge",
        {"other_id": kept.id, "kept_version": kept.version, "other_version": kept.version},
        token_from=f"/companies/{kept.id}/merge",
    )
    assert itself.status_code == 422 and "sig självt" in itself.text
    archived = client.post_form(
        f"/companies/{kept.id}/merge",
        {"other_id": gone.id, "kept_version": kept.version, "other_version": gone.version},
        token_from=f"/companies/{kept.id}/merge",
    )
    assert archived.status_code == 409 and "Arkiverade företag" in archived.text
    assert client.get(f"/companies/{gone.id}/merge").status_code == 409
    assert client.get(f"/companies/{kept.id}/merge?other_id={gone.id}").status_code == 409
    session.expire_all()
    assert session.get(Company, gone.id).merged_into_id is None


def test_a_viewer_cannot_merge(client, session, clock, broker):
    kept = make_company(session, clock, user=broker, name="Eta AB")
    other = make_company(session, clock, user=broker, name="Eta HB")
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)

    assert "/merge" not in client.get(f"/companies/{kept.id}").text
    assert client.get(f"/companies/{kept.id}/merge").status_code == 403
    refused = client.post_form(
        f"/companies/{kept.id}/merge",
        {"other_id": other.id, "kept_version": kept.version, "other_version": other.version},
        token_from="/account",
    )
    assert refused.status_code == 403
    session.expire_all()
    assert session.get(Company, other.id).archived_at is None


def test_a_merged_company_is_read_only_and_points_to_the_one_it_is_in(
    client, session, clock, broker
):
    kept = make_company(session, clock, user=broker, name="Zeta Bygg AB")
    other = make_company(session, clock, user=broker, name="Zeta Byggtjänst", city="Luleå")
    do_merge(session, clock, kept, other, broker)
    client.login("bo", PASSWORD)
    form = client.get(f"/companies/{other.id}/edit")
    assert "är sammanslaget med Zeta Bygg AB och kan inte ändras" in form.text
    assert f'href="/companies/{kept.id}"' in form.text
    version = session.get(Company, other.id).version
    refused = client.post_form(
        f"/companies/{other.id}",
        {"name": "Zeta Byggtjänst Ny", "city": "Kiruna", "version": str(version)},
        token_from=f"/companies/{other.id}/edit",
    )
    assert refused.status_code == 409
    assert "är sammanslaget med Zeta Bygg AB" in refused.text
    assert f'href="/companies/{kept.id}"' in refused.text
    assert 'value="Kiruna"' in refused.text  # what was typed is kept
    session.expire_all()
    stored = session.get(Company, other.id)
    assert (stored.name, stored.city) == ("Zeta Byggtjänst", "Luleå")
