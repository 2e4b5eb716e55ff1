"""The import's vocabulary, as data: each kind's fields with their header words, and the
sheets' own words for Matcha's values, Swedish and English (the logic is mapping.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from sqlmodel import SQLModel

from app.activities.models import KIND_LABELS, ActivityKind
from app.agreements.models import KIND_LABELS as AGREEMENT_KIND_LABELS
from app.agreements.models import STATE_LABELS as AGREEMENT_STATE_LABELS
from app.agreements.models import AgreementKind, AgreementState
from app.assignments.models import (
    SOURCE_LABELS,
    Assignment,
    AssignmentStatus,
    EmploymentType,
    SourceKind,
    employment_type_choices,
)
from app.assignments.models import STATUS_LABELS as ASSIGNMENT_STATUS_LABELS
from app.companies.models import (
    AGREEMENT_LABELS,
    SIZE_LABELS,
    STATUS_LABELS,
    AgreementStatus,
    Company,
    CompanyStatus,
    SizeClass,
)
from app.contacts.models import Contact
from app.i18n import N_
from app.query import table_of

KINDS = ("companies", "contacts", "activities", "assignments", "agreements")

# What a field's cells are, so the engine knows how to read them (app/imports/values.py):
TEXT = "text"  # parse_text, up to max_length
ORG_NUMBER = "org_number"  # app/companies/orgnr.normalize
DATE = "date"  # parse_date
INTEGER = "integer"  # parse_int
CHOICE = "choice"  # one of `choices`; the file's words mapped by propose_value
PERSON = "person"  # a person's name, mapped by the user to a Matcha user or to nobody
COMPANY = "company"  # a company's name: links the row to a company in the register

TRUE, FALSE = "true", "false"  # the values of a yes/no field, as the forms take them

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class Field:
    """One field a column can be mapped to.

    `name` is the form field (CompanyForm, ContactForm, ActivityForm, AssignmentForm,
    AgreementForm) the value goes to, except for fields that name something else, which the
    engine resolves: `company`/`company_org_number` (the row's company, by org.nr, else by
    name), `contact` (a contact person of that company, by name), `signatories` (the
    company's contact persons who signed, by name), `assignment` (one of the company's
    assignments, by occupation), `owner`/`user`/`source_user`/`unit_signatory` (a user, as
    the user mapped the names), `contact_*` on a company row (its contact person).
    """

    name: str
    label: str  # Swedish msgid
    type: str = TEXT
    required: bool = False
    synonyms: tuple[str, ...] = ()  # header words, besides the label
    max_length: int | None = None
    choices: dict[str, str] | None = None  # value -> Swedish label msgid, for CHOICE


def _length(model: type[SQLModel], column: str) -> int | None:
    return getattr(table_of(model).c[column].type, "length", None)


def _choices(labels: Mapping[E, str]) -> dict[str, str]:
    return {member.value: label for member, label in labels.items()}


YES_NO = {TRUE: N_("Ja"), FALSE: N_("Nej")}

# Header words shared by the kinds.
_COMPANY_NAME = ("företagsnamn", "företag", "arbetsgivare", "bolag", "firma", "company")
_COMPANY_NAME_EN = ("company name", "employer", "organisation", "organization")
_ORG_NUMBER = (
    "org nr",
    "org.nr",
    "orgnr",
    "organisationsnummer",
    "organisationsnr",
    "org nummer",
    "orgnummer",
    "org.nummer",
    "organisationsnummer (org.nr)",
    "organisation number",
    "organization number",
    "company number",
    "corporate id",
    "registration number",
    "reg nr",
)
_PHONE = (
    "tel",
    "tel.",
    "telefon",
    "telefonnummer",
    "telefonnr",
    "tel nr",
    "tfn",
    "mobil",
    "mobilnummer",
    "mobiltelefon",
    "phone",
    "phone number",
    "telephone",
    "mobile",
    "cell",
)
_EMAIL = (
    "e-post",
    "epost",
    "e-postadress",
    "mejl",
    "mejladress",
    "mail",
    "mailadress",
    "e-mail",
    "email",
    "email address",
    "e-mail address",
)
_NOTES = (
    "anteckningar",
    "anteckning",
    "kommentar",
    "kommentarer",
    "notering",
    "noteringar",
    "övrigt",
    "beskrivning",
    "notes",
    "note",
    "comment",
    "comments",
    "remarks",
    "description",
)
_OWNER = (
    "ansvarig",
    "ansvarig jobbmäklare",
    "jobbmäklare",
    "mäklare",
    "handläggare",
    "kontaktansvarig",
    "ansvarig handläggare",
    "owner",
    "account manager",
    "responsible",
    "broker",
)
_CONTACT = ("kontaktperson", "kontakt", "kontaktnamn", "contact", "contact person")


def _of_contact(words: tuple[str, ...]) -> tuple[str, ...]:
    """Header words of a contact person's own phone or e-mail: "Kontaktperson telefon",
    also what a header merged over two rows reads ("Kontaktperson" above "Telefon")."""
    return tuple(f"{who} {word}" for who in ("kontaktperson", "kontakt") for word in words)


def _company_link() -> tuple[Field, Field]:
    return (
        Field(
            "company",
            N_("Företag"),
            COMPANY,
            synonyms=_COMPANY_NAME + _COMPANY_NAME_EN + ("företagets namn", "namn på företag"),
            max_length=_length(Company, "name"),
        ),
        Field(
            "company_org_number",
            N_("Organisationsnummer"),
            ORG_NUMBER,
            synonyms=_ORG_NUMBER,
        ),
    )


FIELDS: dict[str, tuple[Field, ...]] = {
    "companies": (
        Field(
            "name",
            N_("Namn"),
            required=True,
            synonyms=(*_COMPANY_NAME, "namn", "företagets namn", "name", *_COMPANY_NAME_EN),
            max_length=_length(Company, "name"),
        ),
        Field(
            "org_number",
            N_("Organisationsnummer"),
            ORG_NUMBER,
            synonyms=_ORG_NUMBER,
        ),
        Field(
            "industry",
            N_("Bransch"),
            synonyms=(
                "bransch",
                "näringsgren",
                "verksamhet",
                "industry",
                "sector",
                "line of business",
            ),
            max_length=_length(Company, "industry"),
        ),
        Field(
            "sni_code",
            N_("SNI"),
            synonyms=("sni", "sni-kod", "sni kod", "sni 2007", "sni code"),
            max_length=_length(Company, "sni_code"),
        ),
        Field(
            "size_class",
            N_("Storlek"),
            CHOICE,
            synonyms=(
                "storlek",
                "storleksklass",
                "antal anställda",
                "anställda",
                "size",
                "employees",
            ),
            choices=_choices(SIZE_LABELS),
        ),
        Field(
            "municipality",
            N_("Kommun"),
            synonyms=("kommun", "municipality"),
            max_length=_length(Company, "municipality"),
        ),
        Field(
            "street_address",
            N_("Gatuadress"),
            synonyms=(
                "gatuadress",
                "adress",
                "besöksadress",
                "utdelningsadress",
                "address",
                "street",
                "street address",
            ),
            max_length=_length(Company, "street_address"),
        ),
        Field(
            "postal_code",
            N_("Postnummer"),
            synonyms=(
                "postnummer",
                "postnr",
                "post nr",
                "zip",
                "zip code",
                "postal code",
                "postcode",
            ),
            max_length=_length(Company, "postal_code"),
        ),
        Field(
            "city",
            N_("Ort"),
            synonyms=("ort", "postort", "stad", "city", "town"),
            max_length=_length(Company, "city"),
        ),
        Field(
            "phone",
            N_("Telefon"),
            synonyms=(*_PHONE, "växel", "växelnummer"),
            max_length=_length(Company, "phone"),
        ),
        Field("email", N_("E-post"), synonyms=_EMAIL, max_length=_length(Company, "email")),
        Field(
            "website",
            N_("Webbplats"),
            synonyms=(
                "webbplats",
                "hemsida",
                "webb",
                "www",
                "webbadress",
                "website",
                "url",
                "homepage",
                "web",
            ),
            max_length=_length(Company, "website"),
        ),
        Field(
            "status",
            N_("Status"),
            CHOICE,
            synonyms=("status", "kundstatus", "state"),
            choices=_choices(STATUS_LABELS),
        ),
        Field("owner", N_("Ansvarig"), PERSON, synonyms=_OWNER),
        Field(
            "agreement_status",
            N_("Avsiktsförklaring"),
            CHOICE,
            synonyms=("avsiktsförklaring", "loi", "letter of intent", "samverkansavtal"),
            choices=_choices(AGREEMENT_LABELS),
        ),
        Field(
            "agreement_date",
            N_("Datum avsiktsförklaring"),
            DATE,
            synonyms=("avsiktsförklaring datum", "datum loi", "loi datum", "loi date"),
        ),
        Field("notes", N_("Anteckningar"), synonyms=_NOTES),
        Field("tags", N_("Taggar"), synonyms=("taggar", "tagg", "etiketter", "tags", "labels")),
        # The sheets keep one contact person per company row; the engine adds them as contacts.
        Field(
            "contact_name",
            N_("Kontaktperson"),
            synonyms=(*_CONTACT, "kontaktperson namn", "kontakt namn"),
            max_length=_length(Contact, "name"),
        ),
        Field(
            "contact_title",
            N_("Kontaktpersonens roll/titel"),
            synonyms=(
                "titel",
                "roll",
                "befattning",
                "kontaktperson titel",
                "kontaktperson roll",
                "title",
                "role",
            ),
            max_length=_length(Contact, "title"),
        ),
        Field(
            "contact_phone",
            N_("Kontaktpersonens telefon"),
            synonyms=(*_of_contact(_PHONE), "direktnummer", "direkttelefon", "contact phone"),
            max_length=_length(Contact, "phone"),
        ),
        Field(
            "contact_email",
            N_("Kontaktpersonens e-post"),
            synonyms=(*_of_contact(_EMAIL), "kontaktpersonens e-post", "contact email"),
            max_length=_length(Contact, "email"),
        ),
    ),
    "contacts": (
        Field(
            "name",
            N_("Namn"),
            required=True,
            synonyms=(*_CONTACT, "namn", "för- och efternamn", "person", "name", "full name"),
            max_length=_length(Contact, "name"),
        ),
        Field(
            "title",
            N_("Roll/titel"),
            synonyms=(
                "titel",
                "roll",
                "befattning",
                "yrkesroll",
                "tjänstetitel",
                "title",
                "role",
                "job title",
                "position",
            ),
            max_length=_length(Contact, "title"),
        ),
        Field("phone", N_("Telefon"), synonyms=_PHONE, max_length=_length(Contact, "phone")),
        Field("email", N_("E-post"), synonyms=_EMAIL, max_length=_length(Contact, "email")),
        Field(
            "is_supervisor",
            N_("Handledare"),
            CHOICE,
            synonyms=("handledare", "mentor", "supervisor"),
            choices=YES_NO,
        ),
        Field(
            "is_primary",
            N_("Primär kontakt"),
            CHOICE,
            synonyms=(
                "primär kontakt",
                "primär",
                "huvudkontakt",
                "primary",
                "primary contact",
                "main contact",
            ),
            choices=YES_NO,
        ),
        Field("notes", N_("Anteckningar"), synonyms=_NOTES),
        *_company_link(),
    ),
    "activities": (
        Field(
            "occurred_at",
            N_("Datum"),
            DATE,
            required=True,
            synonyms=("datum", "kontaktdatum", "samtalsdatum", "tidpunkt", "när", "date", "when"),
        ),
        Field(
            "kind",
            N_("Typ"),
            CHOICE,
            synonyms=(
                "typ",
                "kontakttyp",
                "kontaktsätt",
                "kontaktform",
                "aktivitet",
                "händelse",
                "kanal",
                "type",
                "kind",
                "activity",
                "channel",
            ),
            choices=_choices(KIND_LABELS),
        ),
        *_company_link(),
        Field(
            "contact",
            N_("Kontaktperson"),
            synonyms=(*_CONTACT, "pratade med", "talade med"),
            max_length=_length(Contact, "name"),
        ),
        Field(
            "user",
            N_("Jobbmäklare"),
            PERSON,
            synonyms=(*_OWNER, "vem", "utförd av", "registrerad av", "user", "by"),
        ),
        Field("notes", N_("Anteckningar"), synonyms=(*_NOTES, "vad", "samtal", "summary")),
        Field(
            "outcome",
            N_("Utfall"),
            synonyms=("utfall", "resultat", "outcome", "result"),
            max_length=200,
        ),
        Field(
            "follow_up_on",
            N_("Återkoppling"),
            DATE,
            synonyms=(
                "återkoppling",
                "återkopplingsdatum",
                "uppföljning",
                "uppföljningsdatum",
                "följ upp",
                "återkom",
                "nästa kontakt",
                "ring upp",
                "follow up",
                "follow-up",
                "next contact",
            ),
        ),
        Field(
            "follow_up_done",
            N_("Återkoppling klar"),
            CHOICE,
            synonyms=("återkoppling klar", "uppföljning klar", "klar", "done", "follow-up done"),
            choices=YES_NO,
        ),
    ),
    "assignments": (
        Field(
            "occupation",
            N_("Yrke"),
            required=True,
            synonyms=(
                "yrke",
                "yrkestitel",
                "befattning",
                "tjänst",
                "roll",
                "occupation",
                "job",
                "job title",
                "position",
            ),
            max_length=_length(Assignment, "occupation"),
        ),
        Field("ssyk_code", N_("SSYK"), synonyms=("ssyk", "ssyk-kod", "ssyk kod", "yrkeskod")),
        *_company_link(),
        Field(
            "contact",
            N_("Kontaktperson"),
            synonyms=_CONTACT,
            max_length=_length(Contact, "name"),
        ),
        Field(
            "positions",
            N_("Antal platser"),
            INTEGER,
            synonyms=(
                "antal",
                "antal platser",
                "antal tjänster",
                "platser",
                "tjänster",
                "antal personer",
                "positions",
                "vacancies",
                "openings",
                "number",
            ),
        ),
        Field(
            "filled_count",
            N_("Antal tillsatta"),
            INTEGER,
            synonyms=(
                "tillsatta",
                "tillsatt",
                "antal tillsatta",
                "antal anställda",
                "anställda",
                "filled",
                "hired",
            ),
        ),
        Field(
            "employment_type",
            N_("Anställningsform"),
            CHOICE,
            synonyms=(
                "anställningsform",
                "anställningstyp",
                "typ av anställning",
                "form",
                "employment type",
                "contract type",
            ),
            # Not the old undivided subsidised kind: an imported row is new data.
            choices=_choices(employment_type_choices()),
        ),
        Field(
            "status",
            N_("Status"),
            CHOICE,
            synonyms=("status", "läge", "state"),
            choices=_choices(ASSIGNMENT_STATUS_LABELS),
        ),
        Field(
            "workplace",
            N_("Arbetsort"),
            synonyms=("arbetsort", "arbetsplats", "ort", "plats", "workplace", "location"),
            max_length=_length(Assignment, "workplace"),
        ),
        Field(
            "start_on",
            N_("Startdatum"),
            DATE,
            synonyms=("startdatum", "start", "tillträde", "börjar", "start date"),
        ),
        Field(
            "deadline",
            N_("Sista dag"),
            DATE,
            synonyms=(
                "sista dag",
                "sista ansökningsdag",
                "sista datum",
                "slutdatum",
                "deadline",
                "due date",
            ),
        ),
        Field(
            "ends_on",
            N_("Anställningarna slutar"),
            DATE,
            synonyms=(
                "anställningarna slutar",
                "anställningen slutar",
                "anställning till",
                "anställd till",
                "placering slutar",
                "employment ends",
            ),
        ),
        Field("owner", N_("Ansvarig"), PERSON, synonyms=_OWNER),
        Field(
            "source_kind",
            N_("Hur uppdraget kom in"),
            CHOICE,
            synonyms=("källa", "kanal", "ursprung", "source"),
            choices=_choices(SOURCE_LABELS),
        ),
        Field(
            "source_user",
            N_("Drog in uppdraget"),
            PERSON,
            synonyms=(
                "drog in uppdraget",
                "vem drog in",
                "vem drog in uppdraget",
                "inkommit via",
                "inkom via",
                "fick in",
                "brought in by",
            ),
        ),
        Field(
            "requirements",
            N_("Kravprofil"),
            synonyms=("kravprofil", "krav", "kvalifikationer", "requirements"),
        ),
        Field("notes", N_("Anteckningar"), synonyms=_NOTES),
    ),
    # The agreement export's columns are among the header words: an export reads back.
    "agreements": (
        *_company_link(),
        Field(
            "kind",
            N_("Slag av avtal"),
            CHOICE,
            required=True,
            synonyms=(
                "avtal",
                "avtalstyp",
                "typ av avtal",
                "slag av avtal",
                "avtalsslag",
                "avtalsform",
                "typ",
                "agreement",
                "agreement type",
                "kind",
                "type",
            ),
            choices=_choices(AGREEMENT_KIND_LABELS),
        ),
        Field(
            "state",
            N_("Status"),
            CHOICE,
            synonyms=("status", "avtalsstatus", "läge", "state", "agreement status"),
            choices=_choices(AGREEMENT_STATE_LABELS),
        ),
        Field(
            "sent_on",
            N_("Skickat"),
            DATE,
            synonyms=(
                "skickat",
                "skickad",
                "skickades",
                "datum skickat",
                "utskickat",
                "utskick",
                "sent",
                "sent on",
                "date sent",
            ),
        ),
        Field(
            "signed_on",
            N_("Undertecknat"),
            DATE,
            synonyms=(
                "undertecknat",
                "undertecknad",
                "undertecknades",
                "datum undertecknat",
                "underskrivet",
                "signerat",
                "signerad",
                "signeringsdatum",
                "påskrivet",
                "signed",
                "signed on",
                "date signed",
            ),
        ),
        Field(
            "valid_from",
            N_("Giltigt från"),
            DATE,
            synonyms=(
                "giltig från",
                "gäller från",
                "gäller fr.o.m.",
                "giltigt fr.o.m.",
                "avtalsstart",
                "startdatum",
                "valid from",
                "start date",
                "effective from",
            ),
        ),
        Field(
            "valid_to",
            N_("Giltigt till"),
            DATE,
            synonyms=(
                "giltig till",
                "gäller till",
                "gäller t.o.m.",
                "giltigt t.o.m.",
                "avtalsslut",
                "slutdatum",
                "upphör",
                "löper ut",
                "valid to",
                "valid until",
                "end date",
                "expires",
            ),
        ),
        Field(
            "signatories",
            N_("Undertecknare hos företaget"),
            synonyms=(
                "undertecknare",
                "undertecknad av",
                "signerad av",
                "signatär",
                "firmatecknare",
                "företagets undertecknare",
                "kontaktperson",
                "kontakt",
                "signatory",
                "signatories",
                "signed by",
                "contact person",
                "contact",
            ),
        ),
        Field(
            "unit_signatory",
            N_("Undertecknat för enheten av"),
            PERSON,
            synonyms=(
                "undertecknat för enheten",
                "undertecknare för enheten",
                "enhetens undertecknare",
                "för enheten",
                "signed for the unit by",
                "unit signatory",
            ),
        ),
        Field(
            "assignment",
            N_("Uppdrag"),
            synonyms=("uppdrag", "rekryteringsuppdrag", "yrke", "assignment", "occupation"),
            max_length=_length(Assignment, "occupation"),
        ),
        Field("notes", N_("Anteckningar"), synonyms=_NOTES),
    ),
}


# Header words so common that they only win when nothing more specific claims the column.
GENERIC_WORDS = (
    "namn",
    "name",
    "typ",
    "type",
    "form",
    "ort",
    "plats",
    "kontakt",
    "contact",
    "tjänst",
    "roll",
    "role",
    "title",
    "antal",
    "number",
    "klar",
    "done",
    "start",
    "vem",
    "vad",
    "när",
    "by",
    "when",
    "samtal",
    "anställda",
    "person",
    "position",
    "job",
    "web",
    "cell",
)


# The sheets' own words for Matcha's values, besides the values and their Swedish labels.
VALUE_SYNONYMS: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("companies", "status"): {
        CompanyStatus.prospect: ("ny", "potentiell", "intressent", "lead", "kall", "prospect"),
        CompanyStatus.active: ("kund", "pågående", "aktuell", "varm", "active", "customer"),
        CompanyStatus.dormant: ("inaktiv", "passiv", "pausad", "avslutad", "dormant", "inactive"),
    },
    ("companies", "agreement_status"): {
        AgreementStatus.none: ("nej", "saknas", "no", "none"),
        AgreementStatus.sent: ("skickat", "utskickad", "sent"),
        AgreementStatus.signed: (
            "ja",
            "signerad",
            "signerat",
            "påskriven",
            "klar",
            "yes",
            "signed",
        ),
    },
    ("companies", "size_class"): {
        SizeClass.none: ("inga", "0 anställda", "none"),
        SizeClass.micro: ("1-9 anställda", "mikro", "micro"),
        SizeClass.small: ("10-49 anställda", "små", "litet", "small"),
        SizeClass.medium: ("50-249 anställda", "medelstort", "medium"),
        SizeClass.large: ("250+ anställda", "250 eller fler", "stort", "large"),
    },
    ("activities", "kind"): {
        ActivityKind.call: (
            "tel",
            "telefon",
            "telefonsamtal",
            "tfn",
            "ringt",
            "ringde",
            "ring",
            "sms",
            "call",
            "phone",
            "phone call",
        ),
        ActivityKind.meeting: (
            "träff",
            "digitalt möte",
            "videomöte",
            "teams",
            "zoom",
            "lunch",
            "meeting",
        ),
        ActivityKind.visit: ("företagsbesök", "arbetsplatsbesök", "studiebesök", "visit"),
        ActivityKind.email: (
            "epost",
            "mejl",
            "mejlat",
            "mail",
            "mailat",
            "e-mail",
            "email",
            "brev",
            "letter",
        ),
        ActivityKind.note: ("anteckning", "notering", "notis", "info", "övrigt", "note"),
    },
    ("assignments", "status"): {
        AssignmentStatus.new: ("nytt", "inkommen", "inkommet", "ej påbörjad", "new"),
        AssignmentStatus.searching: (
            "pågår",
            "pågående",
            "söker",
            "sökning",
            "rekrytering pågår",
            "aktiv",
            "öppen",
            "öppet",
            "searching",
            "open",
            "in progress",
        ),
        AssignmentStatus.presented: (
            "presenterad",
            "presenterade",
            "presenterat",
            "kandidater",
            "presented",
        ),
        AssignmentStatus.filled: ("tillsatta", "klar", "klart", "filled", "done"),
        AssignmentStatus.partly_filled: (
            "delvis",
            "delvis tillsatta",
            "partly filled",
            "partially filled",
        ),
        AssignmentStatus.closed_unfilled: (
            "avslutad",
            "avslutat",
            "ej tillsatt",
            "inte tillsatt",
            "stängd",
            "stängt",
            "closed",
            "unfilled",
        ),
        AssignmentStatus.cancelled: (
            "avbrutet",
            "avbokad",
            "återkallad",
            "inställd",
            "makulerad",
            "struken",
            "cancelled",
            "canceled",
        ),
    },
    ("assignments", "employment_type"): {
        EmploymentType.ordinary: (
            "ordinarie",
            "tillsvidare",
            "tillsvidareanställning",
            "fast",
            "fast anställning",
            "fastanställning",
            "permanent",
            "ordinary",
        ),
        EmploymentType.fixed_term: (
            "visstid",
            "tidsbegränsad",
            "tidsbegränsad anställning",
            "vikariat",
            "säsong",
            "säsongsanställning",
            "sommarjobb",
            "timanställning",
            "projektanställning",
            "fixed term",
            "temporary",
        ),
        EmploymentType.extra_job: (
            "extratjänst",
            "extratjänster",
            "extratjanst",
            "extra tjänst",
            "extra job",
        ),
        EmploymentType.wage_subsidy: (
            "lönestöd",
            "lönebidrag",
            "särskilt anställningsstöd",
            "wage subsidy",
        ),
        EmploymentType.new_start_job: ("nystartsjobb", "nystart", "new start job"),
        EmploymentType.introduction_job: (
            "introduktionsjobb",
            "yrkesintroduktion",
            "introduction job",
        ),
        EmploymentType.other_subsidy: (
            "nyanställningsjobb",
            "subventionerad",
            "subventionerad anställning",
            "subsidised",
            "subsidized",
        ),
        EmploymentType.internship: (
            "arbetspraktik",
            "praktikplats",
            "prao",
            "internship",
            "work placement",
        ),
        EmploymentType.labour_market: (
            "arbetsmarknadsanställd",
            "kommunal anställning",
            "ams",
            "osa",
            "labour market",
        ),
        EmploymentType.job_track: ("jobbspår", "jobbspar", "spår", "job track"),
        EmploymentType.other: ("övrigt", "annan", "other"),
    },
    ("assignments", "source_kind"): {
        SourceKind.broker: ("jobbmäklare", "mäklare", "broker"),
        SourceKind.company: ("företaget", "arbetsgivaren", "kunden", "company", "employer"),
        SourceKind.event: (
            "träff",
            "rekryteringsträff",
            "rekryteringsträffen",
            "mässa",
            "event",
        ),
        SourceKind.partner: ("samverkanspart", "arbetsförmedlingen", "af", "partner"),
        SourceKind.other: ("övrigt", "annan", "other"),
    },
    ("agreements", "kind"): {
        AgreementKind.letter_of_intent: (
            "avsiktsförklaring",
            "avsikt",
            "intentionsavtal",
            "loi",
            "letter of intent",
        ),
        AgreementKind.cooperation: (
            "samverkan",
            "samverkansöverenskommelse",
            "samarbetsavtal",
            "samarbete",
            "partnerskap",
            "cooperation",
            "cooperation agreement",
            "partnership",
        ),
        AgreementKind.recruitment: (
            "rekrytering",
            "rekryteringsöverenskommelse",
            "recruitment",
            "recruitment agreement",
        ),
        AgreementKind.internship: (
            "praktik",
            "arbetspraktik",
            "praktikplats",
            "internship",
            "internship agreement",
            "work placement",
        ),
        AgreementKind.other: ("annat", "annan", "övrigt", "other"),
    },
    ("agreements", "state"): {
        AgreementState.draft: ("utkast", "ej skickat", "ej skickad", "påbörjat", "draft"),
        AgreementState.sent: (
            "skickad",
            "utskickad",
            "utskickat",
            "väntar på underskrift",
            "sent",
            "awaiting signature",
        ),
        AgreementState.signed: (
            "undertecknad",
            "signerad",
            "signerat",
            "underskriven",
            "underskrivet",
            "påskriven",
            "påskrivet",
            "gällande",
            "signed",
        ),
        AgreementState.ended: (
            "upphörd",
            "avslutad",
            "avslutat",
            "utgången",
            "utgånget",
            "uppsagd",
            "uppsagt",
            "ended",
            "expired",
            "terminated",
        ),
    },
}
YES_NO_SYNONYMS = {
    TRUE: ("ja", "j", "x", "sant", "yes", "y", "true", "1"),
    FALSE: ("nej", "n", "falskt", "no", "false", "0"),
}
