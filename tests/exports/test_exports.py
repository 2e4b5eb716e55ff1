"""The CSV exports over HTTP and in the service: format, filters, streaming, permissions."""

from __future__ import annotations

import csv
import io

import pytest

from app.companies.service import CompanyFilters
from app.contacts.service import ContactFilters
from app.exports import csv_format, table
from app.exports import service as exports
from app.exports.csv_format import Dialect, csv_file, unneutralise
from tests.activities.factories import make_activity
from tests.assignments.factories import make_assignment
from tests.contacts.factories import make_contact
from tests.factories import PASSWORD, make_company, make_user
from tests.statements import recorded


def rows_of(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "no BOM"
    text = body.decode("utf-8-sig")
    return [
        [unneutralise(cell) for cell in row]
        for row in csv.reader(io.StringIO(text, newline=""), dialect=Dialect)
    ]


@pytest.fixture
def broker(session, clock):
    return make_user(session, clock, role="broker", username="mäklaren", full_name="Åsa Öberg")


@pytest.fixture
def signed_in(client, broker):
    client.login("mäklaren", PASSWORD)
    return client


def test_company_export_bytes_headers_and_filename(signed_in, session, clock, broker):
    company = make_company(
        session,
        clock,
        user=broker,
        name="Åkeri Öst AB",
        org_number="556036-0793",
        phone="+46 72 909 13 93",
        city="Västerås",
        size_class="1-9",
        owner_id=str(broker.id),
        tags="jobbspår, bygg",
        agreement_status="signed",
        agreement_date="2026-02-27",
        notes="Ring före lunch; gärna tisdagar.\nNy rad.",
    )
    make_activity(session, clock, company, broker, follow_up_on="2026-03-09")
    response = signed_in.get("/companies/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["content-disposition"] == 'attachment; filename="foretag-2026-03-02.csv"'
    )
    body = response.content
    assert body.startswith(
        "\ufeffNamn;Organisationsnummer;Bransch;SNI;Storlek;Status;Slag;Ansvarig;Kommun;Gatuadress;"
        "Postnummer;Ort;Telefon;E-post;Webbplats;Taggar;Avsiktsförklaring;"
        "Datum avsiktsförklaring;Senaste kontakt;Nästa återkoppling;Anteckningar\r\n".encode()
    )
    assert b"sep=" not in body
    assert body.count(b"\r\n") == 2  # header and one row; the note's own newline stays LF
    assert b";'+46 72 909 13 93;" in body
    header, row = rows_of(body)
    record = dict(zip(header, row, strict=True))
    assert record == {
        "Namn": "Åkeri Öst AB",
        "Organisationsnummer": "556036-0793",
        "Bransch": "",
        "SNI": "",
        "Storlek": "1–9 anställda",
        "Status": "Prospekt",
        "Slag": "Arbetsgivare",
        "Ansvarig": "Åsa Öberg",
        "Kommun": "",
        "Gatuadress": "",
        "Postnummer": "",
        "Ort": "Västerås",
        "Telefon": "+46 72 909 13 93",
        "E-post": "",
        "Webbplats": "",
        "Taggar": "bygg, jobbspår",
        "Avsiktsförklaring": "Undertecknad",
        "Datum avsiktsförklaring": "2026-02-27",
        "Senaste kontakt": "2026-03-02 09:00",
        "Nästa återkoppling": "2026-03-09",
        "Anteckningar": "Ring före lunch; gärna tisdagar.\nNy rad.",
    }


def test_company_export_honours_search_filters_and_order(signed_in, session, clock, broker):
    other = make_user(session, clock, role="broker")
    make_company(session, clock, user=broker, name="Bygg Ängel AB", owner_id=str(broker.id))
    make_company(session, clock, user=broker, name="Ängelholms Bygg", status="active")
    make_company(session, clock, user=broker, name="Bageri Norr", owner_id=str(other.id))
    archived = make_company(session, clock, user=broker, name="Bygg Arkiv AB")
    archived.archived_at = clock.now()
    session.add(archived)
    session.commit()

    def names(query: str) -> list[str]:
        response = signed_in.get("/companies/export.csv" + query)
        assert response.status_code == 200
        return [row[0] for row in rows_of(response.content)[1:]]

    assert names("") == ["Bageri Norr", "Bygg Ängel AB", "Ängelholms Bygg"]
    assert names("?q=bygg") == ["Bygg Ängel AB", "Ängelholms Bygg"]
    assert names("?q=bygg&sort=-name") == ["Ängelholms Bygg", "Bygg Ängel AB"]
    assert names("?owner=me") == ["Bygg Ängel AB"]
    assert names("?status=active") == ["Ängelholms Bygg"]
    assert names("?archived=true") == ["Bygg Arkiv AB"]
    # The page of the list does not limit the export.
    assert names("?q=bygg&page=2") == ["Bygg Ängel AB", "Ängelholms Bygg"]
    # Nonsense falls back to the defaults, as on the list.
    assert names("?status=x&sort=y&not_contacted=7") == names("")


def test_company_export_filters_by_tag(signed_in, session, clock, broker):
    make_company(session, clock, user=broker, name="Med tagg", tags="jobbspår")
    make_company(session, clock, user=broker, name="Utan tagg")
    from app.companies import service as companies

    (tag,) = companies.all_tags(session=session)
    response = signed_in.get(f"/companies/export.csv?tag={tag.id}")
    assert [row[0] for row in rows_of(response.content)[1:]] == ["Med tagg"]


def test_contact_export(signed_in, session, clock, broker):
    company = make_company(session, clock, user=broker, name="Vård & Omsorg i Öre AB")
    make_contact(
        session,
        clock,
        company,
        broker,
        name="Örjan Åberg",
        title="Enhetschef",
        phone="+46 70 123 45 67",
        email="orjan@example.se",
        is_supervisor=True,
    )
    make_contact(session, clock, company, broker, name="Anna Berg", notes='=HYPERLINK("x")')
    response = signed_in.get("/contacts/export.csv")
    assert response.status_code == 200
    assert 'filename="kontakter-2026-03-02.csv"' in response.headers["content-disposition"]
    header, *rows = rows_of(response.content)
    assert header == [
        "Namn",
        "Roll/titel",
        "Företag",
        "Organisationsnummer",
        "Telefon",
        "E-post",
        "Handledare",
        "Primär kontakt",
        "Anteckningar",
    ]
    assert rows == [
        ["Anna Berg", "", "Vård & Omsorg i Öre AB", "", "", "", "Nej", "Nej", '=HYPERLINK("x")'],
        [
            "Örjan Åberg",
            "Enhetschef",
            "Vård & Omsorg i Öre AB",
            "",
            "+46 70 123 45 67",
            "orjan@example.se",
            "Ja",
            "Nej",
            "",
        ],
    ]
    assert b'"\'=HYPERLINK(""x"")"' in response.content
    supervisors = rows_of(signed_in.get("/contacts/export.csv?supervisors=true").content)
    assert [row[0] for row in supervisors[1:]] == ["Örjan Åberg"]
    searched = rows_of(signed_in.get("/contacts/export.csv?q=anna").content)
    assert [row[0] for row in searched[1:]] == ["Anna Berg"]


def test_activity_export(signed_in, session, clock, broker):
    company = make_company(session, clock, user=broker, name="Åkeri Öst AB")
    other = make_company(session, clock, user=broker, name="Annat AB")
    contact = make_contact(session, clock, company, broker, name="Örjan Åberg")
    make_activity(
        session,
        clock,
        company,
        broker,
        kind="meeting",
        contact_id=str(contact.id),
        occurred_at="2026-02-20T14:15",
        notes="Möte om lönestöd",
        outcome="Två platser",
        follow_up_on="2026-03-10",
        assignment_id=str(make_assignment(session, clock, company, broker, occupation="Kock").id),
    )
    make_activity(session, clock, company, broker, kind="note", notes="-minus först")
    make_activity(session, clock, other, broker, notes="Inte med")
    response = signed_in.get(f"/companies/{company.id}/activities.csv")
    assert response.status_code == 200
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="kontakthandelser-akeri-ost-ab-2026-03-02.csv"'
    )
    assert rows_of(response.content) == [
        [
            "Datum",
            "Typ",
            "Kontaktperson",
            "Uppdrag",
            "Jobbmäklare",
            "Anteckningar",
            "Utfall",
            "Återkoppling",
            "Återkoppling klar",
        ],
        ["2026-03-02 09:00", "Anteckning", "", "", "Åsa Öberg", "-minus först", "", "", ""],
        [
            "2026-02-20 14:15",
            "Möte",
            "Örjan Åberg",
            "Kock",
            "Åsa Öberg",
            "Möte om lönestöd",
            "Två platser",
            "2026-03-10",
            "",
        ],
    ]
    assert signed_in.get("/companies/999999/activities.csv").status_code == 404


@pytest.mark.parametrize(
    "path", ["/companies/export.csv", "/contacts/export.csv", "/companies/{id}/activities.csv"]
)
def test_a_viewer_may_export_and_a_stranger_may_not(client, session, clock, broker, path):
    company = make_company(session, clock, user=broker, name="Läsbart AB")
    url = path.replace("{id}", str(company.id))
    response = client.get(url)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    make_user(session, clock, role="viewer", username="läsaren")
    client.login("läsaren", PASSWORD)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")


def test_the_list_pages_link_to_the_export_with_their_query(signed_in, session, clock, broker):
    company = make_company(session, clock, user=broker, name="Bygg AB")
    make_contact(session, clock, company, broker, name="Eva Bygg", is_supervisor=True)
    make_activity(session, clock, company, broker)
    page = signed_in.get("/companies?q=bygg&status=prospect&page=1").text
    assert 'href="/companies/export.csv?q=bygg&amp;status=prospect"' in page
    fragment = signed_in.get("/companies?q=bygg", headers={"HX-Request": "true"}).text
    assert 'href="/companies/export.csv?q=bygg"' in fragment
    page = signed_in.get("/contacts?q=eva&supervisors=true").text
    assert 'href="/contacts/export.csv?q=eva&amp;supervisors=true"' in page
    page = signed_in.get(f"/companies/{company.id}").text
    assert f'href="/companies/{company.id}/activities.csv"' in page


# --- streaming --------------------------------------------------------------------------


@pytest.fixture
def statements(engine):
    """The SQL statements run while the test counts them."""
    with recorded(engine) as seen:
        yield seen


def test_company_export_streams_in_batches_with_few_statements(session, clock, broker, statements):
    for number in range(7):
        make_company(session, clock, user=broker, name=f"Firma {number}", tags="a, b")
    statements.clear()
    chunks = list(
        csv_file(
            exports.company_table(
                CompanyFilters(), user=broker, session=session, clock=clock, batch_size=3
            )
        )
    )
    # The header, then one chunk per batch of 3 (3 + 3 + 1): never one per row.
    assert len(chunks) == 4
    assert [chunk.count(b"\r\n") for chunk in chunks] == [1, 3, 3, 1]
    # The rows (with their owners, joined), then the tags of each batch: not N+1.
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 + 3, statements


def test_contact_and_activity_exports_stream_in_batches(session, clock, broker, statements):
    company = make_company(session, clock, user=broker)
    for number in range(5):
        make_contact(session, clock, company, broker, name=f"Person {number}")
        make_activity(session, clock, company, broker)
    session.refresh(company)  # loaded, as the route's dependency hands it over
    statements.clear()
    contact_chunks = list(
        csv_file(exports.contact_table(ContactFilters(), session=session, batch_size=2))
    )
    activity_chunks = list(csv_file(exports.activity_table(company, session=session, batch_size=2)))
    assert [c.count(b"\r\n") for c in contact_chunks] == [1, 2, 2, 1]
    assert [c.count(b"\r\n") for c in activity_chunks] == [1, 2, 2, 1]
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, statements  # one each: the rows stream from one cursor


def test_the_route_uses_the_batch_size(signed_in, session, clock, broker, monkeypatch):
    monkeypatch.setattr(table, "BATCH_SIZE", 2)
    for number in range(5):
        make_company(session, clock, user=broker, name=f"Firma {number}")
    chunks = []
    real = csv_format.csv_file

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        for chunk in real(*args, **kwargs):
            chunks.append(chunk)
            yield chunk

    monkeypatch.setattr(csv_format, "csv_file", spy)
    response = signed_in.get("/companies/export.csv")
    assert len(rows_of(response.content)) == 6
    assert len(chunks) == 4
