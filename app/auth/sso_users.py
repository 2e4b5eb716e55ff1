"""Users who sign in through the organisation's OpenID provider: found by the token's
issuer and subject (never by e-mail), their role following the organisation's groups at
every sign-in, created at the first one when the settings say so."""

from __future__ import annotations

import re
import unicodedata

from sqlmodel import Session, col, select

from app.auth import security_log
from app.auth import service as users
from app.auth.models import NO_PASSWORD, Role, User
from app.auth.sso import Identity
from app.clock import Clock
from app.config import Settings
from app.errors import Conflict, ValidationFailed

# The highest role a user's groups give wins.
_RANKED = (Role.admin, Role.broker, Role.viewer)


class SignInRefused(Exception):
    def __init__(self, reason: str, user: User | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.user = user


def _names(spec: str) -> frozenset[str]:
    return frozenset(part.strip() for part in spec.split(",") if part.strip())


def role_mapping(settings: Settings) -> dict[Role, frozenset[str]]:
    return {
        Role.admin: _names(settings.oidc_admin_groups),
        Role.broker: _names(settings.oidc_broker_groups),
        Role.viewer: _names(settings.oidc_viewer_groups),
    }


def role_for(identity: Identity, settings: Settings) -> Role | None:
    """The role the identity's groups and app roles give, or None."""
    held = set(identity.groups) | set(identity.roles)
    mapping = role_mapping(settings)
    return next((role for role in _RANKED if mapping[role] & held), None)


def find(issuer: str, subject: str, *, session: Session) -> User | None:
    return session.exec(
        select(User).where(col(User.oidc_issuer) == issuer, col(User.oidc_subject) == subject)
    ).first()


def _free_username(identity: Identity, *, session: Session) -> str:
    """A username for a new user: the part before @ of their preferred username or
    e-mail, in ASCII; a number added if taken."""
    source = identity.preferred_username or identity.email or identity.name or "user"
    base = unicodedata.normalize("NFKD", source.split("@")[0]).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9._-]+", ".", base.lower()).strip(".-_")[:56] or "user"
    name, number = base, 1
    while users.get_by_username(name, session=session) is not None:
        number += 1
        name = f"{base}{number}"
    return name


def sign_in(identity: Identity, *, session: Session, clock: Clock, settings: Settings) -> User:
    """The user this identity signs in as, their role set by the mapping; or
    SignInRefused with the security log's reason."""
    user = find(identity.issuer, identity.subject, session=session)
    role = role_for(identity, settings)
    if user is not None and not user.is_active:
        raise SignInRefused("inactive", user)
    if role is None:
        raise SignInRefused("no_mapped_group", user)
    if user is None:
        if not settings.oidc_create_users:
            raise SignInRefused("unknown_user")
        now = clock.now()
        user = User(
            username=_free_username(identity, session=session),
            full_name=identity.name[:200],
            email=identity.email,
            role=role,
            password_hash=NO_PASSWORD,
            created_at=now,
            password_changed_at=now,
            oidc_issuer=identity.issuer,
            oidc_subject=identity.subject,
        )
        return users.add(user, session=session, clock=clock, source="sso")
    if user.role != role:
        security_log.record(
            session,
            security_log.Kind.role_changed,
            clock=clock,
            user=user,
            detail={"from": user.role.value, "to": role.value, "source": "sso"},
        )
        user.role = role
    # The organisation's directory names them; kept as it says.
    user.full_name = identity.name[:200]
    user.email = identity.email or user.email
    session.add(user)
    return user


def link(
    user: User, identity: Identity, *, session: Session, clock: Clock, actor: User | None = None
) -> User:
    """Links a user to an identity at the provider: their companies and history stay
    theirs, and from now on they may sign in through it."""
    other = find(identity.issuer, identity.subject, session=session)
    if other is not None and other.id != user.id:
        raise Conflict(
            "Det kontot hos organisationen är redan kopplat till en annan användare.",
            field="oidc_subject",
        )
    user.oidc_issuer, user.oidc_subject = identity.issuer, identity.subject
    session.add(user)
    security_log.record(
        session,
        security_log.Kind.account_linked,
        clock=clock,
        user=user,
        actor=actor,
        detail={"issuer": identity.issuer, "subject": identity.subject},
    )
    return user


def link_by_admin(
    user: User, issuer: str, subject: str, *, session: Session, clock: Clock, actor: User
) -> User:
    """An admin types the issuer and subject (Entra ID: the object id) of a user's
    organisation account; both empty unlinks."""
    issuer, subject = issuer.strip(), subject.strip()
    if not issuer and not subject:
        if user.oidc_subject is not None:
            user.oidc_issuer = user.oidc_subject = None
            session.add(user)
            security_log.record(
                session,
                security_log.Kind.account_linked,
                clock=clock,
                user=user,
                actor=actor,
                detail={"unlinked": True},
            )
        return user
    if not issuer:
        raise ValidationFailed("Fyll i utfärdaren (issuer).", field="oidc_issuer")
    if not subject:
        raise ValidationFailed("Fyll i kontots id (subject).", field="oidc_subject")
    if len(issuer) > 300 or len(subject) > 255:
        raise ValidationFailed("Utfärdare eller id är för långt.", field="oidc_subject")
    identity = Identity(
        issuer=issuer,
        subject=subject,
        name=user.full_name,
        email=user.email,
        preferred_username=None,
        groups=(),
        roles=(),
    )
    return link(user, identity, session=session, clock=clock, actor=actor)
