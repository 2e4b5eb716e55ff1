"""Contact persons (kontaktpersoner) at a company."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, version_column
from app.history import service as history

_contact_version = version_column()


class Contact(SQLModel, table=True):
    # History refers to contacts by id (even erased ones): SQLite must not reuse ids.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    title: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    email: str | None = Field(default=None, max_length=254)
    is_supervisor: bool = False
    is_primary: bool = False
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Folded name, title, e-mail and phone (app/text.py); FTS5 trigram / pg_trgm indexed.
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # swedish_key(name): the list's sort order on SQLite (app/db.py, by_name).
    sort_key: str = Field(default="", max_length=200, index=True)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_contact_version)

    __mapper_args__ = {"version_id_col": _contact_version}


# History names a contact's changes by the contact's current name.
history.register_names("contact", Contact, Contact.name)
