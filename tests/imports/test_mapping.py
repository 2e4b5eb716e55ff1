"""Proposals of which column is which field, and which Matcha value a sheet's word means."""

from __future__ import annotations

import pytest

from app.activities.models import KIND_LABELS
from app.agreements.models import KIND_LABELS as AGREEMENT_KIND_LABELS
from app.agreements.models import STATE_LABELS as AGREEMENT_STATE_LABELS
from app.assignments.models import SOURCE_LABELS, employment_type_choices
from app.assignments.models import STATUS_LABELS as ASSIGNMENT_STATUS_LABELS
from app.companies.models import AGREEMENT_LABELS, SIZE_LABELS, STATUS_LABELS
from app.exports import service as exports
from app.imports.mapping import (
    CHOICE,
    FIELDS,
    KINDS,
    field,
    fields,
    key,
    propose_columns,
    propose_value,
    recognised_headers,
)


def test_keys_fold_case_diacritics_and_punctuation() -> None:
    assert {key(word) for word in ("Org.nr", "Org nr", "ORGNR", "org-nr", " Orgnr ")} == {"orgnr"}
    assert key("Återkoppling") == "aterkoppling"
    assert key("E-post") == key("Epost") == "epost"


def test_the_company_sample_sheet() -> None:
    headers = [
        "Företagsnamn",
        "Org nr",
        "Bransch",
        "Adress",
        "Postnr",
        "Ort",
        "Telefon",
        "Kontaktperson",
        "Titel",
        "E-post",
        "Senast kontaktad",
        "Ansvarig",
        "Status",
        "Kommentar",
    ]
    assert propose_columns("companies", headers) == [
        "name",
        "org_number",
        "industry",
        "street_address",
        "postal_code",
        "city",
        "phone",
        "contact_name",
        "contact_title",
        "email",
        None,
        "owner",
        "status",
        "notes",
    ]


def test_the_call_log_sample_sheet() -> None:
    headers = ["Datum", "Företag", "Kontakt", "Typ", "Anteckning", "Återkoppling", "Handläggare"]
    assert propose_columns("activities", headers) == [
        "occurred_at",
        "company",
        "contact",
        "kind",
        "notes",
        "follow_up_on",
        "user",
    ]


def test_the_assignment_sample_sheet() -> None:
    headers = [
        "Företag",
        "Org.nr",
        "Yrke",
        "Antal tjänster",
        "Anställningsform",
        "Startdatum",
        "Sista dag",
        "Status",
        "Tillsatta",
        "Ansvarig",
        "Inkommit via",
    ]
    assert propose_columns("assignments", headers) == [
        "company",
        "company_org_number",
        "occupation",
        "positions",
        "employment_type",
        "start_on",
        "deadline",
        "status",
        "filled_count",
        "owner",
        "source_user",
    ]


def test_a_contact_list_in_english() -> None:
    headers = ["Company", "Corporate ID", "Name", "Job title", "Mobile", "Email", "Notes"]
    assert propose_columns("contacts", headers) == [
        "company",
        "company_org_number",
        "name",
        "title",
        "phone",
        "email",
        "notes",
    ]


@pytest.mark.parametrize(
    ("kind", "header", "name"),
    [
        ("companies", "Organisationsnummer", "org_number"),
        ("companies", "Org.nr", "org_number"),
        ("companies", "ORGNR", "org_number"),
        ("companies", "Företag", "name"),
        ("companies", "Namn", "name"),
        ("companies", "Tel.", "phone"),
        ("companies", "Mobil", "phone"),
        ("companies", "Mejl", "email"),
        ("companies", "Epost", "email"),
        ("companies", "Email", "email"),
        ("companies", "Kommun", "municipality"),
        ("companies", "Hemsida", "website"),
        ("companies", "Telefon (växel)", "phone"),
        ("companies", "Företagets org.nr", "org_number"),
        ("companies", "Kontaktperson Telefon", "contact_phone"),
        ("companies", "Kontaktperson E-post", "contact_email"),
        ("contacts", "Kontaktperson", "name"),
        ("contacts", "Handledare", "is_supervisor"),
        ("activities", "Kommentar", "notes"),
        ("activities", "Uppföljning", "follow_up_on"),
        ("activities", "Kontaktsätt", "kind"),
        ("activities", "Återkoppling klar", "follow_up_done"),
        ("assignments", "Antal", "positions"),
        ("assignments", "Antal platser", "positions"),
        ("assignments", "Antal tillsatta", "filled_count"),
        ("assignments", "Vem drog in", "source_user"),
        ("assignments", "Drog in uppdraget", "source_user"),
        ("assignments", "Kravprofil", "requirements"),
        ("assignments", "SSYK", "ssyk_code"),
    ],
)
def test_header_words(kind: str, header: str, name: str) -> None:
    assert propose_columns(kind, [header]) == [name]


def test_each_field_at_most_once_and_specific_words_first() -> None:
    assert propose_columns("companies", ["Telefon", "Mobil", "Tel."]) == ["phone", None, None]
    # "Namn" is a generic word; "Företagsnamn" says more and wins wherever it stands.
    assert propose_columns("companies", ["Namn", "Företagsnamn"]) == [None, "name"]
    assert propose_columns("contacts", ["Företag", "Namn"]) == ["company", "name"]
    assert propose_columns("companies", ["", "Okänd kolumn", "Ort"]) == [None, None, "city"]


def test_matchas_own_exports_map_back() -> None:
    exported = {
        "companies": exports.COMPANY_HEADERS,
        "contacts": exports.CONTACT_HEADERS,
        "activities": exports.ACTIVITY_HEADERS,
        "assignments": exports.ASSIGNMENT_HEADERS,
        "agreements": exports.AGREEMENT_HEADERS,
    }
    for kind, headers in exported.items():
        proposal = dict(zip(headers, propose_columns(kind, list(headers)), strict=True))
        mapped = {name for name in proposal.values() if name}
        required = {item.name for item in fields(kind) if item.required}
        assert required <= mapped, kind
        assert proposal.get("Anteckningar") == "notes", kind
    headers = list(exports.COMPANY_HEADERS)
    companies = dict(zip(headers, propose_columns("companies", headers), strict=True))
    assert companies["Organisationsnummer"] == "org_number"
    assert companies["Avsiktsförklaring"] == "agreement_status"
    assert companies["Datum avsiktsförklaring"] == "agreement_date"
    assert companies["Storlek"] == "size_class"


def test_recognised_headers() -> None:
    assert recognised_headers(["Företagsnamn", "Org nr", "Bransch", "Titel"]) == 4
    assert recognised_headers(["Arbetsmarknadsenheten – företagskontakter 2019"]) == 0
    assert recognised_headers(["A", "B", "Telefon"]) == 1


def test_every_kind_has_its_fields_once() -> None:
    assert set(FIELDS) == set(KINDS)
    for kind in KINDS:
        names = [item.name for item in fields(kind)]
        assert len(names) == len(set(names)), kind
        assert any(item.required for item in fields(kind)), kind
    assert field("companies", "name").max_length == 200
    with pytest.raises(KeyError):
        field("companies", "nope")


@pytest.mark.parametrize(
    ("kind", "name", "labels"),
    [
        ("companies", "status", STATUS_LABELS),
        ("companies", "size_class", SIZE_LABELS),
        ("companies", "agreement_status", AGREEMENT_LABELS),
        ("activities", "kind", KIND_LABELS),
        ("assignments", "status", ASSIGNMENT_STATUS_LABELS),
        # Not the old undivided subsidised kind: imported rows are new data.
        ("assignments", "employment_type", employment_type_choices()),
        ("assignments", "source_kind", SOURCE_LABELS),
        ("agreements", "kind", AGREEMENT_KIND_LABELS),
        ("agreements", "state", AGREEMENT_STATE_LABELS),
    ],
)
def test_every_label_and_value_maps_to_itself(kind: str, name: str, labels: dict) -> None:  # type: ignore[type-arg]
    assert field(kind, name).type == CHOICE
    for value, label in labels.items():
        assert propose_value(kind, name, label) == value.value
        assert propose_value(kind, name, label.upper()) == value.value
        assert propose_value(kind, name, value.value) == value.value


@pytest.mark.parametrize(
    ("kind", "name", "raw", "value"),
    [
        ("assignments", "status", "Pågår", "searching"),
        ("assignments", "status", "Tillsatt", "filled"),
        ("assignments", "status", "Kandidater presenterade", "presented"),
        ("assignments", "status", "Ny", "new"),
        ("assignments", "status", "Avbruten", "cancelled"),
        ("assignments", "status", "Avslutad", "closed_unfilled"),
        ("assignments", "status", "delvis", "partly_filled"),
        ("assignments", "employment_type", "Extratjänst", "extra_job"),
        ("assignments", "employment_type", "Introduktionsjobb", "introduction_job"),
        ("assignments", "employment_type", "Subventionerad", "other_subsidy"),
        ("assignments", "employment_type", "Jobbspår", "job_track"),
        ("assignments", "employment_type", "Nystartsjobb", "new_start_job"),
        ("assignments", "employment_type", "Lönestöd", "wage_subsidy"),
        ("assignments", "employment_type", "Visstid", "fixed_term"),
        ("assignments", "employment_type", "Ordinarie", "ordinary"),
        ("assignments", "employment_type", "Tillsvidare", "ordinary"),
        ("assignments", "employment_type", "Praktik", "internship"),
        ("assignments", "source_kind", "Arbetsförmedlingen", "partner"),
        ("activities", "kind", "Mejl", "email"),
        ("activities", "kind", "E-post", "email"),
        ("activities", "kind", "mail", "email"),
        ("activities", "kind", "Tel", "call"),
        ("activities", "kind", "TEL.", "call"),
        ("activities", "kind", "Telefon", "call"),
        ("activities", "kind", "samtal", "call"),
        ("activities", "kind", "Samtal, ej svar", "call"),
        ("activities", "kind", "Besök", "visit"),
        ("activities", "kind", "Möte", "meeting"),
        ("activities", "kind", "Teams", "meeting"),
        ("activities", "kind", "Anteckning", "note"),
        ("companies", "status", "Prospekt", "prospect"),
        ("companies", "status", "Aktiv", "active"),
        ("companies", "status", "Vilande", "dormant"),
        ("companies", "status", "Kund", "active"),
        ("companies", "size_class", "12", "10-49"),
        ("companies", "size_class", 300.0, "250+"),
        ("companies", "size_class", "0", "0"),
        ("companies", "size_class", "1-9", "1-9"),
        ("companies", "agreement_status", "Ja", "signed"),
        ("contacts", "is_supervisor", "Ja", "true"),
        ("contacts", "is_supervisor", "x", "true"),
        ("contacts", "is_primary", "Nej", "false"),
        ("contacts", "is_primary", True, "true"),
        ("activities", "follow_up_done", "Ja", "true"),
    ],
)
def test_the_sheets_own_words(kind: str, name: str, raw: object, value: str) -> None:
    assert propose_value(kind, name, raw) == value


@pytest.mark.parametrize("raw", ["", None, "-", "?", "Blå", "x y z"])
def test_unknown_words_get_no_proposal(raw: object) -> None:
    assert propose_value("activities", "kind", raw) is None


def test_only_fields_with_choices_have_value_proposals() -> None:
    with pytest.raises(KeyError):
        propose_value("companies", "name", "Ek AB")


def test_the_old_undivided_subsidised_kind_is_not_offered_to_a_sheet() -> None:
    assert "subsidised" not in field("assignments", "employment_type").choices
    assert propose_value("assignments", "employment_type", "Lönestöd/nystartsjobb") != "subsidised"


def test_an_assignment_sheets_end_day_of_the_employments_is_read() -> None:
    assert propose_columns("assignments", ["Yrke", "Anställningarna slutar"]) == [
        "occupation",
        "ends_on",
    ]
