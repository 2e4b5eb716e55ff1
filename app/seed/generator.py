"""Made-up rows, one company at a time with its contacts, activities and assignments,
and the derived columns the services would compute for them."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from faker import Faker

from app.agreements.models import AgreementKind, AgreementState
from app.assignments.models import CLOSED_STATUSES, OPEN_STATUSES, AssignmentStatus, SourceKind
from app.companies.models import AgreementStatus, CompanyStatus, SizeClass
from app.companies.orgnr import luhn_ok
from app.db import swedish_key
from app.seed.data import (
    ASSIGNMENT_COUNTS,
    EMPLOYMENT_WEIGHTS,
    FORMS,
    INDUSTRIES,
    KIND_WEIGHTS,
    MUNICIPALITIES,
    NOTES,
    OCCUPATIONS,
    ORG_PREFIXES,
    OUTCOMES,
    REQUIREMENTS,
    SOURCE_WEIGHTS,
    STATUS_WEIGHTS,
    TITLES,
)
from app.text import company_name_key, fold, search_text


@dataclass
class Generator:
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

    def agreements(
        self, company_id: int, company: dict[str, Any], contact_ids: Sequence[int]
    ) -> list[tuple[dict[str, Any], list[int]]]:
        """The company's letter of intent, as its summary says (sent or signed), and for
        one company in eight a year's samverkansavtal signed by its first contact person,
        some ending within a month: (row, signatories) each. Decided from the company
        alone, without drawing from the random generator, so the rest of the seed's data
        stays as it was before agreements existed."""
        found: list[tuple[dict[str, Any], list[int]]] = []
        created: dt.datetime = company["created_at"]
        base = {
            "company_id": company_id,
            "notes": "",
            "created_at": created,
            "updated_at": created,
            "version": 1,
        }
        status = company["agreement_status"]
        if status != AgreementStatus.none:
            day = company["agreement_date"]
            found.append(
                (
                    {
                        **base,
                        "kind": AgreementKind.letter_of_intent,
                        "state": AgreementState(status.value),
                        "sent_on": day if status == AgreementStatus.sent else None,
                        "signed_on": day if status == AgreementStatus.signed else None,
                        "valid_from": None,
                        "valid_to": None,
                    },
                    list(contact_ids[:1]),
                )
            )
        if company_id % 8 == 0 and contact_ids:
            today = self.now.date()
            valid_from = today - dt.timedelta(days=company_id % 400)
            found.append(
                (
                    {
                        **base,
                        "kind": AgreementKind.cooperation,
                        "state": AgreementState.signed,
                        "sent_on": None,
                        "signed_on": valid_from,
                        "valid_from": valid_from,
                        "valid_to": valid_from + dt.timedelta(days=365),
                    },
                    list(contact_ids[:1]),
                )
            )
        return found

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
