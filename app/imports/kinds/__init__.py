"""One module per kind of import: how a row becomes the service's form, how it matches
what is in the register, and how it is written and undone."""

from __future__ import annotations

from app.imports.kinds.activities import ActivityKindImport
from app.imports.kinds.agreements import AgreementImport
from app.imports.kinds.assignments import AssignmentKind
from app.imports.kinds.base import Context, Kind
from app.imports.kinds.companies import CompanyKind
from app.imports.kinds.contacts import ContactKind
from app.imports.models import ImportKind

KINDS: dict[ImportKind, Kind] = {
    ImportKind.companies: CompanyKind(),
    ImportKind.contacts: ContactKind(),
    ImportKind.activities: ActivityKindImport(),
    ImportKind.assignments: AssignmentKind(),
    ImportKind.agreements: AgreementImport(),
}
# Every entity an import writes, whatever its kind (a contact import may create companies).
ENTITIES = {kind.entity: kind for kind in KINDS.values()}

__all__ = ["ENTITIES", "KINDS", "Context", "Kind"]
