"""Domain errors: services raise these; the web layer turns them into responses."""

from app.i18n import N_


class DomainError(Exception):
    """A rule was broken; the message is shown to the user (Swedish msgid)."""

    http_status = 422

    def __init__(
        self, message: str, *, field: str | None = None, variables: dict[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # Values for %(name)s placeholders, filled in after translation.
        self.variables = variables or {}


class ValidationFailed(DomainError):
    """Input that cannot be accepted as it is (HTTP 422)."""


class NotFound(DomainError):
    """The thing asked for does not exist (HTTP 404)."""

    http_status = 404


class Forbidden(DomainError):
    """The user may not do this to this record (HTTP 403). What a role may do at all is a
    dependency of the route (app/auth/deps.py); this is the rule about one record: who
    wrote it, who is responsible for it."""

    http_status = 403


class Conflict(DomainError):
    """Someone else changed or took it first (HTTP 409)."""

    http_status = 409


# The message of DatabaseBusy; a msgid (app/i18n.py), translated where it is shown.
BUSY_MESSAGE = N_(
    "Det gick inte att spara just nu eftersom många sparar samtidigt. Inget sparades. "
    "Försök igen om en stund."
)


class SaveRefused(DomainError):
    """The database could not take a save, whatever the data: nothing was written, what
    was typed is shown again, and the user may try again later (HTTP 503)."""

    http_status = 503
    retry_after_seconds = 2


class DatabaseBusy(SaveRefused):
    """The database's write lock was not free within the busy timeout (SQLite has one
    writer). Nothing was written: the user may simply try again."""


class CommitUncertain(SaveRefused):
    """The connection to the database broke while a save was being committed: it may or
    may not have been stored. The user is sent to look before saving again, never offered
    to send it again blindly (a call logged twice)."""

    retry_after_seconds = 0
    MESSAGE = N_(
        "Det är oklart om det du sparade kom fram: förbindelsen med databasen bröts just "
        "när det sparades. Öppna sidan igen och se efter innan du sparar en gång till."
    )


class DatabaseUnwritable(SaveRefused):
    """The database takes no writes: its disk is full, or it is read-only (a file without
    write permission, a read-only replica). Nothing was written; reading goes on."""

    retry_after_seconds = 60

    FULL = N_(
        "Det gick inte att spara: databasens disk är full. Inget sparades, och det du skrev "
        "finns kvar. Kontakta en administratör."
    )
    READ_ONLY = N_(
        "Det gick inte att spara: databasen kan just nu bara läsas. Inget sparades, och det "
        "du skrev finns kvar. Kontakta en administratör."
    )
