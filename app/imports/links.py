"""How a row names things already in Matcha: companies by org.nr, else by normalised name;
people by the user's own map from the names in the file to users."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.auth.models import Role, User
from app.companies import orgnr
from app.companies.models import Company, CompanyKind
from app.errors import ValidationFailed
from app.query import select_columns
from app.text import company_name_key, fold


def org_number_or_none(raw: str | None) -> str | None:
    """The normalised org.nr, or None when empty or not a valid one (reported elsewhere)."""
    try:
        return orgnr.normalize(raw)
    except ValidationFailed:
        return None


@dataclass
class CompanyIndex:
    """The register's companies by org.nr and by name key, loaded once per import (two
    dictionaries for 50,000 companies instead of a query per row), kept up to date with
    the companies the import creates. Employers only: a sheet's row never lands on a
    samverkanspart; their org.nrs are kept apart, to refuse a row that gives one (the
    database keeps an org.nr unique whatever the kind)."""

    by_org_number: dict[str, int] = field(default_factory=dict)
    by_name_key: dict[str, int] = field(default_factory=dict)
    archived: set[int] = field(default_factory=set)
    partner_numbers: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, session: Session) -> CompanyIndex:
        index = cls()
        rows = session.exec(
            select_columns(
                Company.id,
                Company.org_number,
                Company.name_key,
                Company.archived_at,
                Company.kind,
            ).order_by(
                col(Company.archived_at).is_not(None),
                col(Company.id),
            )
        ).all()
        keyless = _names_without_key(session)
        for company_id, org_number, name_key, archived_at, kind in rows:
            if kind != CompanyKind.employer:
                if org_number:
                    index.partner_numbers.add(org_number)
                continue
            key = name_key or match_key(keyless.get(company_id, ""))
            index.add(company_id, org_number, key, archived=archived_at is not None)
        return index

    def add(
        self, company_id: int, org_number: str | None, name_key: str, *, archived: bool = False
    ) -> None:
        if org_number:
            self.by_org_number.setdefault(org_number, company_id)
        if name_key:
            # Active companies were loaded first: a name matches them before archived ones.
            self.by_name_key.setdefault(name_key, company_id)
        if archived:
            self.archived.add(company_id)

    def of_partner(self, org_number: str | None) -> bool:
        """Whether this org.nr is a samverkanspart's (not found, and not to be created)."""
        return org_number is not None and org_number in self.partner_numbers

    def find(self, org_number: str | None, name: str | None) -> tuple[int | None, str]:
        """(company id, "org_number" or "name") of the company the row means, if any."""
        if org_number and org_number in self.by_org_number:
            return self.by_org_number[org_number], "org_number"
        if org_number:
            # A valid org.nr not in the register: a company of the same name with another
            # number is another employer, one without a number may be this one.
            return None, ""
        key = match_key(name)
        if key and key in self.by_name_key:
            return self.by_name_key[key], "name"
        return None, ""


def company_key(org_number: str | None, name: str | None) -> str:
    """The key two rows of the file mean the same company by."""
    return f"org:{org_number}" if org_number else f"name:{match_key(name)}"


def match_key(name: str | None, name_key: str | None = None) -> str:
    """What a row's company name is matched by: the normalised name (Company.name_key, or
    computed), else, for a name with no letter or digit outside the company forms ("+++",
    "AB"), the name itself folded. Such a name has no normalised name, and without this
    every one of them would be the same company in a file and none would be found in the
    register: a contact of "+++" exported by Matcha could not be imported back."""
    key = company_name_key(name or "") if name_key is None else name_key
    if key:
        return key
    folded = fold(name)
    return f"={folded}" if folded else ""  # "=": never in a normalised name


def _names_without_key(session: Session) -> dict[int, str]:
    """The names of the (few, odd) companies with no normalised name, by id."""
    rows = session.exec(select(Company.id, Company.name).where(Company.name_key == "")).all()
    return {company_id: name for company_id, name in rows}


def active_brokers(session: Session) -> list[User]:
    return list(session.exec(select(User).where(User.is_active, User.role != Role.viewer)).all())


def propose_person(name: str, users: list[User]) -> str:
    """The user a name in the file most likely means (same full name, user name or first
    name if only one user has it), as an id in text, or "" for nobody."""
    wanted = fold(name)
    if not wanted:
        return ""
    for user in users:
        if wanted in (fold(user.full_name), fold(user.username)):
            return str(user.id)
    first_names = [u for u in users if fold(u.full_name).split()[:1] == [wanted]]
    return str(first_names[0].id) if len(first_names) == 1 else ""
