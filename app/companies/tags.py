"""Companies' tags: set, read and created by name, folded so "IT" and "it" are one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.companies.models import Company, CompanyTag, Tag
from app.db import swedish_sort_key
from app.text import fold


def set_tags(company: Company, names: Sequence[str], *, session: Session) -> None:
    wanted = {fold(name): name for name in names}
    existing = (
        {
            tag.name_key: tag
            for tag in session.exec(select(Tag).where(col(Tag.name_key).in_(list(wanted)))).all()
        }
        if wanted
        else {}
    )
    for key, name in wanted.items():
        if key not in existing:
            existing[key] = Tag(name=name, name_key=key)
            session.add(existing[key])
    session.flush()
    keep = {existing[key].id for key in wanted}
    current = session.exec(select(CompanyTag).where(CompanyTag.company_id == company.id)).all()
    for link in current:
        if link.tag_id not in keep:
            session.delete(link)
    have = {link.tag_id for link in current}
    for tag_id in keep - have:
        session.add(CompanyTag(company_id=company.id, tag_id=tag_id))
    session.flush()


def tags_by_company(company_ids: Sequence[int], *, session: Session) -> dict[int, list[str]]:
    """Tag names of many companies in one query, in Swedish order (sorted here: on SQLite
    the SQL collation calls Python for every comparison)."""
    if not company_ids:
        return {}
    rows = session.exec(
        select(CompanyTag.company_id, Tag.name)
        .join(Tag, col(Tag.id) == CompanyTag.tag_id)
        .where(col(CompanyTag.company_id).in_(company_ids))
    ).all()
    tags: dict[int, list[str]] = defaultdict(list)
    for company_id, name in sorted(rows, key=lambda row: swedish_sort_key(row[1])):
        tags[company_id].append(name)
    return tags


def tag_names(company_id: int, *, session: Session) -> list[str]:
    return tags_by_company([company_id], session=session).get(company_id, [])


def all_tags(*, session: Session) -> Sequence[Tag]:
    """Every tag, in Swedish order (sorted here, as above)."""
    return sorted(session.exec(select(Tag)).all(), key=lambda tag: swedish_sort_key(tag.name))


def tag_ids(wanted: dict[str, str], *, session: Session) -> dict[str, int]:
    """The ids of these tags (by folded name), created when new."""
    if not wanted:
        return {}
    found = dict(
        session.exec(select(Tag.name_key, Tag.id).where(col(Tag.name_key).in_(list(wanted)))).all()
    )
    for key, name in wanted.items():
        if key not in found:
            tag = Tag(name=name, name_key=key)
            session.add(tag)
            session.flush()
            found[key] = tag.id
    return found
