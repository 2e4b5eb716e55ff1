"""Demo data: realistic Swedish employers, contacts and a few years of calls, in bulk.

`matcha seed --companies N` and the benchmark (bench/) use it. Rows go in with bulk
INSERTs of a few thousand at a time; the derived columns are computed with the same
helpers the services use, so the data looks as if it had been typed in.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from faker import Faker
from sqlalchemy import Engine, func, insert, select, update
from sqlmodel import Session

from app.activities.models import Activity, ActivityKind
from app.activities.service import derived_from_activities
from app.assignments.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    EmploymentType,
    SourceKind,
)
from app.auth.models import Role, User
from app.auth.passwords import hash_password
from app.clock import STOCKHOLM, Clock, today
from app.companies.models import AgreementStatus, Company, CompanyStatus, CompanyTag, SizeClass, Tag
from app.companies.orgnr import luhn_ok
from app.contacts.models import Contact
from app.db import swedish_key
from app.events.models import (
    ChecklistTemplateItem,
    EventAssignment,
    EventCompany,
    EventMember,
    EventStatus,
    EventTask,
    Participation,
    RecruitmentEvent,
)
from app.text import company_name_key, fold, search_text

BATCH = 5_000
BROKER_COUNT = 6

# Real Swedish municipalities (a selection, all regions), with their main town.
MUNICIPALITIES = [
    "Ale", "Alingsås", "Arvika", "Askersund", "Avesta", "Boden", "Bollnäs", "Borlänge",
    "Borås", "Botkyrka", "Eskilstuna", "Eslöv", "Falkenberg", "Falköping", "Falun",
    "Gislaved", "Gotland", "Gävle", "Göteborg", "Halmstad", "Haparanda", "Helsingborg",
    "Hudiksvall", "Hässleholm", "Höganäs", "Jönköping", "Kalmar", "Karlshamn", "Karlskrona",
    "Karlstad", "Katrineholm", "Kiruna", "Kristianstad", "Kungsbacka", "Kungälv", "Köping",
    "Landskrona", "Lerum", "Lidköping", "Linköping", "Ljungby", "Ludvika", "Luleå", "Lund",
    "Malmö", "Mariestad", "Mjölby", "Mora", "Motala", "Nacka", "Norrköping", "Norrtälje",
    "Nyköping", "Nässjö", "Oskarshamn", "Piteå", "Sandviken", "Sigtuna", "Skellefteå",
    "Skövde", "Sollentuna", "Stockholm", "Strängnäs", "Sundsvall", "Södertälje", "Trelleborg",
    "Trollhättan", "Uddevalla", "Umeå", "Uppsala", "Varberg", "Vetlanda", "Visby",
    "Värnamo", "Västervik", "Västerås", "Växjö", "Ystad", "Ängelholm", "Älmhult", "Örebro",
    "Örnsköldsvik", "Östersund", "Österåker", "Öckerö",
]  # fmt: skip

# (industry, SNI 2007 code as the service stores it, words that go into a company name)
INDUSTRIES = [
    ("Byggverksamhet", "41.200", ["Bygg", "Byggservice", "Bygg & Montage", "Byggteknik"]),
    ("Måleri och glasmästeri", "43.341", ["Måleri", "Måleri & Fasad", "Glas"]),
    ("Elinstallationer", "43.210", ["El", "Elektriska", "Elteknik", "Elservice"]),
    ("VVS-installationer", "43.220", ["VVS", "Rör", "Rörservice"]),
    ("Restaurangverksamhet", "56.100", ["Restaurang", "Krog", "Café", "Bistro", "Pizzeria"]),
    ("Hotellverksamhet", "55.101", ["Hotell", "Vandrarhem", "Gästgiveri"]),
    ("Partihandel", "46.900", ["Handel", "Grossist", "Import"]),
    ("Detaljhandel", "47.190", ["Butik", "Livs", "Handelshus", "Järn"]),
    ("Vård och omsorg", "87.301", ["Omsorg", "Hemtjänst", "Vård"]),
    ("Städning", "81.210", ["Städ", "Städservice", "Fastighetsservice"]),
    ("Åkerier", "49.410", ["Åkeri", "Transport", "Logistik", "Frakt"]),
    ("Lager och magasin", "52.100", ["Lager", "Logistik", "Terminal"]),
    ("Motorfordonsreparation", "45.200", ["Bil", "Bilverkstad", "Däck & Bil", "Motor"]),
    ("Dataprogrammering", "62.010", ["IT", "Data", "Systemutveckling", "Digital"]),
    ("Livsmedelsframställning", "10.710", ["Bageri", "Konditori", "Charkuteri", "Mejeri"]),
    ("Verkstadsindustri", "25.620", ["Mekaniska", "Verkstad", "Svets", "Plåt"]),
    ("Trädgård och skog", "81.300", ["Trädgård", "Skog", "Anläggning", "Grönyta"]),
    ("Frisörer och skönhet", "96.021", ["Frisör", "Hårstudio", "Skönhetssalong"]),
]
FORMS = ["AB"] * 14 + ["Aktiebolag", "HB", "KB", "Ekonomisk förening"]
# The first three digits of the org.nr: 556 and 559 are aktiebolag, 969 handelsbolag ...
ORG_PREFIXES = {"AB": "556", "Aktiebolag": "559", "HB": "969", "KB": "916"}

TAGS = [
    "Rekryterar nu", "Praktikplatser", "Sommarjobb", "Nystartsjobb", "Lönebidrag",
    "Yrkesintroduktion", "Språkpraktik", "Ramavtal", "Mässa 2025", "Nyckelkund",
    "Kvällsarbete", "B-körkort krävs", "Truckkort", "Engelska räcker", "Helgjobb",
]  # fmt: skip
TITLES = [
    "VD", "Platschef", "HR-ansvarig", "Rekryterare", "Butikschef", "Produktionschef",
    "Arbetsledare", "Köksmästare", "Ekonomiansvarig", "Personalchef", "Lagerchef",
    "Verksamhetschef", "Ägare", "Enhetschef", "Teamledare",
]  # fmt: skip
NOTES = [
    "Pratade om behovet inför hösten, de söker två personer till lagret.",
    "Intresserade av praktikplats, vill ha förslag på kandidater.",
    "Skickade information om nystartsjobb och lönebidrag.",
    "Besök på arbetsplatsen, bra arbetsmiljö och handledare på plats.",
    "Inget behov just nu, hör av oss efter sommaren.",
    "Kandidaten började i måndags, arbetsgivaren är nöjd.",
    "Ringde, inget svar. Lämnade meddelande.",
    "Möte med platschefen om en rekryteringsträff i vår.",
    "Vill ha hjälp med annonsen, skickar utkast via e-post.",
    "Anställer inom restaurang under säsongen, kräver livsmedelshygien.",
    "Frågade om språkpraktik för två deltagare, positivt besked.",
    "Uppföljning av praktik: deltagaren förlängs en månad.",
    "Ny kontaktperson efter omorganisation.",
    "Diskuterade yrkesintroduktion för unga under 25.",
    "Bekräftade tid för arbetsplatsbesök.",
]
OUTCOMES = [
    "Vill ha kandidater", "Inget behov nu", "Ring tillbaka", "Praktik bokad",
    "Anställning klar", "Skicka information", "Möte bokat", None, None, None,
]  # fmt: skip
# (occupation, SSYK 2012 unit group) for assignments.
OCCUPATIONS = [
    ("Lagerarbetare", "9331"), ("Truckförare", "8344"), ("Kock", "5120"),
    ("Restaurangbiträde", "9412"), ("Städare", "9111"), ("Undersköterska", "5321"),
    ("Vårdbiträde", "5330"), ("Butikssäljare", "5223"), ("Lastbilsförare", "8332"),
    ("Snickare", "7111"), ("Målare", "7131"), ("Elektriker", "7411"),
    ("Svetsare", "7212"), ("Bagare", "7512"), ("Barnskötare", "5311"),
    ("Fastighetsskötare", "5153"), ("Montör", "8211"), ("Kundtjänstmedarbetare", "4222"),
    ("Personlig assistent", "5343"), ("Trädgårdsarbetare", "6113"),
]  # fmt: skip
REQUIREMENTS = [
    "B-körkort. Svenska i tal, enklare skrift.",
    "Truckkort A+B. Skiftarbete, även kvällar.",
    "Livsmedelshygien. Helger ingår.",
    "Erfarenhet är meriterande men inget krav. Engelska räcker.",
    "Undersköterskeutbildning eller pågående. Nattpass förekommer.",
    "God fysik. Arbetskläder tillhandahålls.",
    "Säkerhetsutbildning (ID06). Heltid dagtid.",
    "",
]
ASSIGNMENT_COUNTS = [0] * 70 + [1] * 20 + [2] * 7 + [3] * 3  # about 0.43 per company
STATUS_WEIGHTS = {
    AssignmentStatus.new: 6,
    AssignmentStatus.searching: 10,
    AssignmentStatus.presented: 7,
    AssignmentStatus.filled: 35,
    AssignmentStatus.partly_filled: 15,
    AssignmentStatus.closed_unfilled: 17,
    AssignmentStatus.cancelled: 10,
}
EMPLOYMENT_WEIGHTS = {
    EmploymentType.ordinary: 30,
    EmploymentType.fixed_term: 20,
    EmploymentType.subsidised: 18,
    EmploymentType.internship: 14,
    EmploymentType.labour_market: 7,
    EmploymentType.job_track: 7,
    EmploymentType.other: 4,
}
SOURCE_WEIGHTS = {
    SourceKind.broker: 55,
    SourceKind.company: 25,
    SourceKind.event: 10,
    SourceKind.partner: 7,
    SourceKind.other: 3,
}
KIND_WEIGHTS = {
    ActivityKind.call: 50,
    ActivityKind.email: 20,
    ActivityKind.meeting: 10,
    ActivityKind.visit: 8,
    ActivityKind.note: 12,
}


class SeedRefused(Exception):
    """The database already has companies and --force was not given."""


@dataclass
class SeedReport:
    companies: int = 0
    contacts: int = 0
    activities: int = 0
    assignments: int = 0
    events: int = 0
    tags: int = 0
    created_users: list[str] = field(default_factory=list)
    has_admin: bool = True


@dataclass
class _Generator:
    rng: random.Random
    fake: Faker
    now: dt.datetime
    today: dt.date
    broker_ids: list[int]
    taken_org_numbers: set[str]
    first_names: list[str] = field(default_factory=list)
    last_names: list[str] = field(default_factory=list)
    streets: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Faker is slow per call; a pool of its Swedish names and streets is varied enough.
        self.first_names = list({self.fake.first_name() for _ in range(600)})
        self.last_names = list({self.fake.last_name() for _ in range(600)})
        self.streets = list({self.fake.street_name() for _ in range(400)})

    def org_number(self, form: str) -> str | None:
        prefix = ORG_PREFIXES.get(form, "769")  # 769: ekonomisk förening
        while True:
            body = prefix + f"{self.rng.randrange(1_000_000):06d}"
            check = next(d for d in "0123456789" if luhn_ok(body + d))
            number = f"{body[:6]}-{body[6:]}{check}"
            if number not in self.taken_org_numbers:
                self.taken_org_numbers.add(number)
                return number

    def instant(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        seconds = int((end - start).total_seconds())
        moment = start + dt.timedelta(seconds=self.rng.randrange(max(seconds, 1)))
        # Office hours, Swedish time (UTC+1/+2): 06–16 UTC.
        return moment.replace(hour=self.rng.randrange(6, 16), microsecond=0)

    def company(self) -> dict[str, Any]:
        rng = self.rng
        industry, sni, words = rng.choice(INDUSTRIES)
        municipality = rng.choice(MUNICIPALITIES)
        form = rng.choice(FORMS)
        owner_name = rng.choice(self.last_names)
        name = rng.choice(
            [
                f"{owner_name} {rng.choice(words)} {form}",
                f"{municipality}s {rng.choice(words)} {form}",
                f"{owner_name} & {rng.choice(self.last_names)} {rng.choice(words)} {form}",
                f"{rng.choice(words)}huset i {municipality} {form}",
            ]
        )
        slug = re.sub(r"[^a-z0-9]+", "", company_name_key(name))[:30] or "foretag"
        created = self.instant(self.now - dt.timedelta(days=5 * 365), self.now)
        status = rng.choices(list(CompanyStatus), weights=[30, 55, 15])[0]
        agreement = rng.choices(list(AgreementStatus), weights=[70, 10, 20])[0]
        row: dict[str, Any] = {
            "name": name,
            "org_number": self.org_number(form) if rng.random() < 0.92 else None,
            "industry": industry,
            "sni_code": sni,
            "size_class": rng.choice(list(SizeClass)),
            "municipality": municipality,
            "street_address": f"{rng.choice(self.streets)} {rng.randrange(1, 120)}",
            "postal_code": f"{rng.randrange(100, 990)} {rng.randrange(100):02d}",
            "city": municipality,
            "phone": f"0{rng.randrange(10, 99)}-{rng.randrange(100, 999)} "
            f"{rng.randrange(10, 99)} {rng.randrange(10, 99)}",
            "email": f"info@{slug}.se",
            "website": f"https://www.{slug}.se",
            "status": status,
            "owner_id": rng.choice(self.broker_ids) if rng.random() < 0.9 else None,
            "agreement_status": agreement,
            "agreement_date": (
                (created + dt.timedelta(days=rng.randrange(1, 400))).date()
                if agreement != AgreementStatus.none
                else None
            ),
            "notes": "",
            "archived_at": self.instant(created, self.now) if rng.random() < 0.03 else None,
            "merged_into_id": None,
            "last_contact_at": None,
            "next_follow_up_on": None,
            "last_activity_at": None,
            "created_at": created,
            "updated_at": created,
            "version": 1,
        }
        row.update(company_derived(name, row["org_number"], row["city"], municipality))
        return row

    def contacts(self, company_id: int, company: dict[str, Any]) -> list[dict[str, Any]]:
        rng = self.rng
        domain = company["email"].split("@", 1)[1]
        rows = []
        for number in range(rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 3])):
            first, last = rng.choice(self.first_names), rng.choice(self.last_names)
            name = f"{first} {last}"
            phone = (
                f"07{rng.choice('02369')}-{rng.randrange(100, 999)} "
                f"{rng.randrange(10, 99)} {rng.randrange(10, 99)}"
            )
            local = re.sub(r"[^a-z.]", "", fold(f"{first}.{last}").replace(" ", "."))
            row = {
                "company_id": company_id,
                "name": name,
                "title": rng.choice(TITLES) if rng.random() < 0.85 else None,
                "phone": phone if rng.random() < 0.9 else None,
                "email": f"{local}@{domain}" if rng.random() < 0.9 else None,
                "is_supervisor": rng.random() < 0.3,
                "is_primary": number == 0,
                "notes": "",
                "created_at": company["created_at"],
                "updated_at": company["created_at"],
                "version": 1,
            }
            row.update(contact_derived(name, row["title"], row["email"], row["phone"]))
            rows.append(row)
        return rows

    def activities(
        self, company_id: int, company: dict[str, Any], contact_ids: Sequence[int]
    ) -> list[dict[str, Any]]:
        rng = self.rng
        kinds = list(KIND_WEIGHTS)
        weights = list(KIND_WEIGHTS.values())
        start = max(company["created_at"], self.now - dt.timedelta(days=3 * 365))
        rows = []
        count = rng.randrange(5, 16)
        for _ in range(count):
            occurred = self.instant(start, self.now)
            kind = rng.choices(kinds, weights)[0]
            contact_id = rng.choice(contact_ids) if contact_ids and rng.random() < 0.8 else None
            follow_up = done = None
            if rng.random() < 0.2:
                follow_up = occurred.date() + dt.timedelta(days=rng.randrange(1, 45))
                if follow_up < self.today - dt.timedelta(days=14) or rng.random() < 0.5:
                    done = occurred + dt.timedelta(days=rng.randrange(1, 30))
                    done = min(done, self.now)
            rows.append(
                {
                    "company_id": company_id,
                    "contact_id": contact_id,
                    "had_contact": contact_id is not None,
                    # Mostly the owner; now and then a colleague (Min dag shows those).
                    "user_id": company["owner_id"]
                    if company["owner_id"] and rng.random() < 0.85
                    else rng.choice(self.broker_ids),
                    "kind": kind,
                    "occurred_at": occurred,
                    "notes": rng.choice(NOTES),
                    "outcome": rng.choice(OUTCOMES),
                    "follow_up_on": follow_up,
                    "follow_up_done_at": done,
                    "created_at": occurred,
                    "updated_at": occurred,
                    "version": 1,
                }
            )
        return rows

    def assignments(
        self, company_id: int, company: dict[str, Any], contact_ids: Sequence[int]
    ) -> list[dict[str, Any]]:
        """About 0.4 per company: mostly closed (the past two years), a quarter open with
        deadlines around today, some of them overdue."""
        rng = self.rng
        rows = []
        for _ in range(rng.choice(ASSIGNMENT_COUNTS)):
            status = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
            occupation, ssyk = rng.choice(OCCUPATIONS)
            positions = rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 8])
            filled = {
                AssignmentStatus.filled: positions,
                AssignmentStatus.partly_filled: rng.randrange(1, positions) if positions > 1 else 0,
                AssignmentStatus.closed_unfilled: 0,
                AssignmentStatus.cancelled: 0,
            }.get(status, rng.randrange(0, positions))
            if status == AssignmentStatus.partly_filled and filled == 0:
                status = AssignmentStatus.closed_unfilled
            start = max(company["created_at"], self.now - dt.timedelta(days=2 * 365))
            if status in OPEN_STATUSES:
                created = self.instant(self.now - dt.timedelta(days=60), self.now)
                deadline = self.today + dt.timedelta(days=rng.randrange(-30, 75))
            else:
                created = self.instant(start, self.now - dt.timedelta(days=30))
                deadline = created.date() + dt.timedelta(days=rng.randrange(14, 90))
            closed_at = (
                min(created + dt.timedelta(days=rng.randrange(7, 120)), self.now)
                if status in CLOSED_STATUSES
                else None
            )
            source = rng.choices(list(SOURCE_WEIGHTS), list(SOURCE_WEIGHTS.values()))[0]
            owner = company["owner_id"] or rng.choice(self.broker_ids)
            workplace = company["city"]
            rows.append(
                {
                    "company_id": company_id,
                    "contact_id": rng.choice(contact_ids) if contact_ids else None,
                    "occupation": occupation,
                    "ssyk_code": ssyk if rng.random() < 0.7 else None,
                    "positions": positions,
                    "requirements": rng.choice(REQUIREMENTS),
                    "employment_type": rng.choices(
                        list(EMPLOYMENT_WEIGHTS), list(EMPLOYMENT_WEIGHTS.values())
                    )[0],
                    "workplace": workplace,
                    "start_on": deadline + dt.timedelta(days=rng.randrange(7, 45))
                    if rng.random() < 0.6
                    else None,
                    "deadline": deadline if rng.random() < 0.9 else None,
                    "owner_id": owner if rng.random() < 0.95 else None,
                    "source_kind": source,
                    "source_user_id": rng.choice(self.broker_ids)
                    if source == SourceKind.broker
                    else None,
                    "status": status,
                    "filled_count": filled,
                    "notes": "",
                    "search_text": assignment_derived(occupation, ssyk, workplace)["search_text"],
                    "created_by_id": owner,
                    "closed_at": closed_at,
                    "created_at": created,
                    "updated_at": closed_at or created,
                    "version": 1,
                }
            )
            if rows[-1]["ssyk_code"] is None:
                rows[-1]["search_text"] = assignment_derived(occupation, None, workplace)[
                    "search_text"
                ]
        return rows


def company_derived(
    name: str, org_number: str | None, city: str | None, municipality: str | None
) -> dict[str, str]:
    """What companies.service.refresh_derived writes, as a dict for a bulk insert."""
    return {
        "name_key": company_name_key(name),
        "sort_key": swedish_key(name),
        "search_text": search_text(
            name,
            org_number,
            org_number.replace("-", "") if org_number else None,
            city,
            municipality,
        ),
    }


def contact_derived(
    name: str, title: str | None, email: str | None, phone: str | None
) -> dict[str, str]:
    """What contacts.service._apply writes, as a dict for a bulk insert."""
    digits = re.sub(r"\D", "", phone or "")
    return {
        "sort_key": swedish_key(name),
        "search_text": search_text(name, title, email, phone, digits or None),
    }


def assignment_derived(
    occupation: str, ssyk_code: str | None, workplace: str | None
) -> dict[str, str]:
    """What assignments.service.refresh_derived writes, as a dict for a bulk insert."""
    return {"search_text": search_text(occupation, ssyk_code, workplace)}


def _brokers(
    session: Session, rng: random.Random, fake: Faker, now: dt.datetime, report: SeedReport
) -> list[int]:
    """The active brokers' ids; a handful of new ones (random, unknown passwords) if none."""
    ids = list(
        session.execute(
            select(User.id).where(User.role == Role.broker, User.is_active.is_(True))  # type: ignore[attr-defined]
        ).scalars()  # type: ignore[attr-defined]
    )
    report.has_admin = (
        session.execute(
            select(func.count()).select_from(User).where(User.role == Role.admin)
        ).scalar_one()
        > 0
    )
    if ids:
        return ids
    taken = set(session.execute(select(User.username)).scalars())  # type: ignore[attr-defined]
    rows = []
    while len(rows) < BROKER_COUNT:
        first, last = fake.first_name(), fake.last_name()
        username = re.sub(r"[^a-z.]", "", fold(f"{first}.{last}"))
        if username in taken:
            continue
        taken.add(username)
        rows.append(
            {
                "username": username,
                "full_name": f"{first} {last}",
                "email": f"{username}@kommunen.example.se",
                "role": Role.broker,
                # Nobody knows this password: an admin resets it before the broker signs in.
                "password_hash": hash_password(secrets.token_urlsafe(32)),
                "is_active": True,
                "locale": "sv",
                "created_at": now,
                "password_changed_at": now,
            }
        )
        report.created_users.append(username)
    session.execute(insert(User), rows)
    return list(
        session.execute(
            select(User.id).where(User.username.in_(report.created_users))  # type: ignore[attr-defined]
        ).scalars()  # type: ignore[attr-defined]
    )


def _tags(session: Session) -> list[int]:
    existing = set(session.execute(select(Tag.name_key)).scalars())  # type: ignore[attr-defined]
    new = [{"name": name, "name_key": fold(name)} for name in TAGS if fold(name) not in existing]
    if new:
        session.execute(insert(Tag), new)
    return list(session.execute(select(Tag.id).order_by(Tag.id)).scalars())  # type: ignore[attr-defined,arg-type]


def _batches(rows: Iterator[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert_returning_ids(session: Session, model: type, rows: list[dict[str, Any]]) -> list[int]:
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)  # type: ignore[attr-defined]
    return list(session.execute(statement, rows).scalars())


def refresh_contact_dates(session: Session, *, from_id: int = 0) -> None:
    """What every company from `from_id` on derives from its activities, in one UPDATE:
    the activity service's subqueries, correlated."""
    companies = Company.__table__  # type: ignore[attr-defined]
    session.execute(
        update(companies)
        .where(companies.c.id >= from_id)
        .values(**derived_from_activities(companies.c.id))
    )


def seed(
    engine: Engine,
    *,
    companies: int,
    clock: Clock,
    seed: int | None = None,
    force: bool = False,
    progress: Callable[[str], None] = lambda _message: None,
) -> SeedReport:
    """Fills the database with `companies` companies, ~3 contacts, ~10 activities and ~0.4
    recruitment assignments each.

    Refuses (SeedRefused) when there already are companies, unless `force`. One
    transaction: it all goes in, or nothing does.
    """
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    fake = Faker("sv_SE")
    fake.seed_instance(seed)
    now = clock.now().replace(microsecond=0)
    report = SeedReport()
    with Session(engine) as session:
        if engine.dialect.name == "sqlite":
            # The whole seed is one transaction: with SQLite's default 2 MB page cache it
            # spills and rewrites the same pages to the WAL over and over.
            session.connection().exec_driver_sql("PRAGMA cache_size=-262144")
        existing = session.execute(select(func.count()).select_from(Company)).scalar_one()
        if existing and not force:
            raise SeedRefused(existing)
        generator = _Generator(
            rng=rng,
            fake=fake,
            now=now,
            today=today(clock),
            broker_ids=_brokers(session, rng, fake, now, report),
            taken_org_numbers=set(
                session.execute(
                    select(Company.org_number).where(Company.org_number.is_not(None))
                ).scalars()  # type: ignore[union-attr,attr-defined]
            ),
        )
        tag_ids = _tags(session)
        report.tags = len(tag_ids)
        first_id: int | None = None
        for batch in _batches(generator.company() for _ in range(companies)):
            company_ids = _insert_returning_ids(session, Company, batch)
            first_id = company_ids[0] if first_id is None else first_id
            links = [
                {"company_id": company_id, "tag_id": tag_id}
                for company_id in company_ids
                for tag_id in rng.sample(tag_ids, rng.choice([0, 0, 1, 1, 2, 3]))
            ]
            if links:
                session.execute(insert(CompanyTag), links)
            contact_rows = [
                generator.contacts(company_id, row)
                for company_id, row in zip(company_ids, batch, strict=True)
            ]
            flat = [row for rows in contact_rows for row in rows]
            contact_ids = iter(
                [
                    contact_id
                    for part in _batches(iter(flat))
                    for contact_id in _insert_returning_ids(session, Contact, part)
                ]
            )
            contact_ids_by_company = [[next(contact_ids) for _ in rows] for rows in contact_rows]
            activity_rows = [
                row
                for company_id, company, contacts in zip(
                    company_ids, batch, contact_ids_by_company, strict=True
                )
                for row in generator.activities(company_id, company, contacts)
            ]
            for part in _batches(iter(activity_rows)):
                session.execute(insert(Activity), part)
            assignment_rows = [
                row
                for company_id, company, contacts in zip(
                    company_ids, batch, contact_ids_by_company, strict=True
                )
                for row in generator.assignments(company_id, company, contacts)
            ]
            for part in _batches(iter(assignment_rows)):
                session.execute(insert(Assignment), part)
            report.companies += len(batch)
            report.contacts += len(flat)
            report.activities += len(activity_rows)
            report.assignments += len(assignment_rows)
            progress(f"{report.companies} av {companies} företag")
        if first_id is not None:
            refresh_contact_dates(session, from_id=first_id)
            progress("rekryteringsträffar")
            report.events = _events(
                session, rng, generator, first_company_id=first_id, count=max(1, companies // 25)
            )
        session.commit()
    return report


EVENT_THEMES = [
    "Rekryteringsträff lager och logistik", "Rekryteringsträff vård och omsorg",
    "Branschträff bygg och anläggning", "Rekryteringsträff hotell och restaurang",
    "Jobbmässa", "Rekryteringsträff handel", "Branschträff industri",
    "Rekryteringsträff städ och service", "Träff om lönestöd och nystartsjobb",
]  # fmt: skip
EVENT_PLACES = [
    "Arbetsmarknadsenheten, Storgatan 12", "Stadsbiblioteket, hörsalen",
    "Medborgarhuset, sal B", "Jobbtorget, Järnvägsgatan 3",
]  # fmt: skip


def _events(
    session: Session,
    rng: random.Random,
    generator: _Generator,
    *,
    first_company_id: int,
    count: int,
) -> int:
    """About one recruitment event per 25 companies, over the last two years and the next
    half year: participating companies with a contact each, some of their assignments
    presented, the default checklist (done where its date has passed), and the outcome of
    those held. Numbers only: no job seeker is named."""
    if count <= 0:
        return 0
    companies = session.execute(
        select(Company.id, Company.city).where(Company.id >= first_company_id)  # type: ignore[arg-type]
    ).all()
    contacts: dict[int, list[int]] = {}
    for contact_id, company_id in session.execute(
        select(Contact.id, Contact.company_id).where(Contact.company_id >= first_company_id)  # type: ignore[arg-type]
    ):
        contacts.setdefault(company_id, []).append(contact_id)
    assignments: dict[int, list[int]] = {}
    for assignment_id, company_id in session.execute(
        select(Assignment.id, Assignment.company_id).where(
            Assignment.company_id >= first_company_id  # type: ignore[arg-type]
        )
    ):
        assignments.setdefault(company_id, []).append(assignment_id)
    template = session.execute(
        select(
            ChecklistTemplateItem.phase,
            ChecklistTemplateItem.title,
            ChecklistTemplateItem.days_from_start,
        ).order_by(ChecklistTemplateItem.position)  # type: ignore[arg-type]
    ).all()
    now, day = generator.now, generator.today
    event_rows = []
    for _ in range(count):
        start_day = day + dt.timedelta(days=rng.randrange(-730, 180))
        starts = dt.datetime.combine(start_day, dt.time(rng.choice([9, 10, 13])), tzinfo=STOCKHOLM)
        city = rng.choice(companies)[1] or "Kommunen"
        digital = rng.random() < 0.15
        if start_day < day:
            status = EventStatus.cancelled if rng.random() < 0.08 else EventStatus.closed
        elif start_day == day:
            status = EventStatus.running
        else:
            status = (
                EventStatus.recruiting
                if start_day - day < dt.timedelta(days=30)
                else EventStatus.planning
            )
        held = status == EventStatus.closed
        invited = rng.randrange(20, 120)
        attended = rng.randrange(invited // 3, invited) if held else None
        interviews = rng.randrange(0, attended // 2 + 1) if attended else None
        event_rows.append(
            {
                "title": f"{rng.choice(EVENT_THEMES)} {city}",
                "starts_at": starts.astimezone(dt.UTC),
                "ends_at": (starts + dt.timedelta(hours=rng.choice([2, 3, 4]))).astimezone(dt.UTC),
                "place": None if digital else f"{rng.choice(EVENT_PLACES)}, {city}",
                "online_url": f"https://mote.kommunen.example.se/traff-{rng.randrange(10**6)}"
                if digital
                else None,
                "description": "Arbetsgivare presenterar lediga jobb och träffar deltagarna.",
                "target_group": rng.choice(["Unga 18–24", "Nyanlända", "Alla inskrivna", None]),
                "capacity": rng.choice([40, 60, 100, 150, None]),
                "owner_id": rng.choice(generator.broker_ids),
                "status": status,
                "jobseekers_invited": invited if held else None,
                "jobseekers_attended": attended,
                "interviews": interviews,
                "hires": rng.randrange(0, interviews + 1) if interviews is not None else None,
                "created_by_id": None,
                "created_at": min(starts.astimezone(dt.UTC) - dt.timedelta(days=60), now),
                "updated_at": now,
                "version": 1,
            }
        )
    event_ids = [
        event_id
        for part in _batches(iter(event_rows))
        for event_id in _insert_returning_ids(session, RecruitmentEvent, part)
    ]
    members, participants, presented, tasks = [], [], [], []
    for event_id, event in zip(event_ids, event_rows, strict=True):
        owner = event["owner_id"]
        members_wanted = rng.choice([0, 1, 2])  # drawn first: the same seed, the same data
        team = {
            owner,
            *rng.sample(generator.broker_ids, min(members_wanted, len(generator.broker_ids))),
        }
        members += [{"event_id": event_id, "user_id": user_id} for user_id in team]
        past = event["starts_at"].date() < day
        for company_id, _city in rng.sample(companies, min(len(companies), rng.randrange(4, 16))):
            if past:
                status = Participation.attended if rng.random() < 0.75 else Participation.declined
            else:
                status = rng.choice(list(Participation)[:3])
            company_contacts = contacts.get(company_id)
            participants.append(
                {
                    "event_id": event_id,
                    "company_id": company_id,
                    "status": status,
                    "contact_id": rng.choice(company_contacts) if company_contacts else None,
                    "created_at": event["created_at"],
                    "updated_at": now,
                    "version": 1,
                }
            )
            for assignment_id in assignments.get(company_id, [])[: rng.choice([0, 1, 1, 2])]:
                presented.append({"event_id": event_id, "assignment_id": assignment_id, "hires": 0})
        start_day = event["starts_at"].date()
        for position, (phase, title, offset) in enumerate(template):
            due = start_day + dt.timedelta(days=offset)
            done = due < day and rng.random() < 0.9
            tasks.append(
                {
                    "event_id": event_id,
                    "phase": phase,
                    "title": title,
                    "due_on": due,
                    "assignee_id": rng.choice(sorted(team)),
                    "done_at": dt.datetime.combine(due, dt.time(12), tzinfo=dt.UTC)
                    if done
                    else None,
                    "position": position,
                    "created_at": event["created_at"],
                    "updated_at": now,
                    "version": 1,
                }
            )
    for model, rows in (
        (EventMember, members),
        (EventCompany, participants),
        (EventAssignment, presented),
        (EventTask, tasks),
    ):
        for part in _batches(iter(rows)):
            session.execute(insert(model), part)
    return len(event_ids)
