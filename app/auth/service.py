"""Users: create, change role, deactivate, passwords. The rules live here, not in routes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth import security_log, sessions
from app.auth.models import CSV_DELIMITERS, LOCALES, Role, User, UserCreate
from app.auth.passwords import check_new_password, hash_password, needs_rehash, verify_password
from app.clock import Clock
from app.db import get_typed, hold_write_lock, in_swedish_order
from app.errors import Conflict, NotFound, ValidationFailed

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")


def any_user_exists(*, session: Session) -> bool:
    return session.exec(select(User.id).limit(1)).first() is not None


def get(user_id: int, *, session: Session) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Användaren finns inte.")
    return user


def get_by_username(username: str, *, session: Session) -> User | None:
    return session.exec(select(User).where(User.username == normalize_username(username))).first()


def list_(*, session: Session) -> Sequence[User]:
    return session.exec(
        select(User).order_by(col(User.is_active).desc(), in_swedish_order(User.full_name))
    ).all()


def chosen_colleague(
    session: Session,
    value: str | None,
    *,
    field: str,
    message: str,
    keep: Iterable[int | None] = (),
) -> int:
    """The id of the user a form chose to own, do or sign something: an active broker or
    admin. One already chosen (`keep`) stays allowed, so a record whose owner has left or
    become a viewer can still be saved. Refused with `message` on `field` otherwise."""
    user = get_typed(session, User, value)
    if user is None or (user.id not in keep and (not user.is_active or user.role == Role.viewer)):
        raise ValidationFailed(message, field=field)
    return user.id


def normalize_username(username: str) -> str:
    return username.strip().lower()


def _check_username(username: str) -> str:
    username = normalize_username(username)
    if not USERNAME_PATTERN.match(username):
        raise ValidationFailed(
            "Användarnamnet ska vara 2–64 tecken: a–z, siffror, punkt, bindestreck, "
            "understreck eller @.",
            field="username",
        )
    return username


def _check_full_name(full_name: str) -> str:
    full_name = " ".join(full_name.split())
    if not full_name:
        raise ValidationFailed("Ange namn.", field="full_name")
    if len(full_name) > 200:
        raise ValidationFailed("Namnet får ha högst 200 tecken.", field="full_name")
    return full_name


def _check_email(email: str | None) -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    if len(email) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise ValidationFailed("E-postadressen ser inte rätt ut.", field="email")
    return email


def _check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationFailed("Välj en roll.", field="role") from None


def create(form: UserCreate, *, session: Session, clock: Clock, actor: User | None = None) -> User:
    """A new user; `actor` is the admin who made it (None: the setup page or the
    `matcha create-user` command)."""
    username = _check_username(form.username)
    full_name = _check_full_name(form.full_name)
    email = _check_email(form.email)
    role = _check_role(form.role)
    check_new_password(form.password, form.password_confirm)
    if get_by_username(username, session=session) is not None:
        raise Conflict("Användarnamnet är redan taget.", field="username")
    now = clock.now()
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        role=role,
        password_hash=hash_password(form.password),
        created_at=now,
        password_changed_at=now,
    )
    return add(user, session=session, clock=clock, actor=actor)


def add(
    user: User,
    *,
    session: Session,
    clock: Clock,
    actor: User | None = None,
    source: str | None = None,
) -> User:
    """Saves a new user and tells the security log (`source`: "sso" for a user made at
    their first sign-in through the provider)."""
    session.add(user)
    session.flush()
    security_log.record(
        session,
        security_log.Kind.user_created,
        clock=clock,
        user=user,
        actor=actor,
        detail={"role": user.role.value, **({"source": source} if source else {})},
    )
    return user


def create_first_admin(form: UserCreate, *, session: Session, clock: Clock) -> User:
    """The setup page's only action; refused once any user exists."""
    if any_user_exists(session=session):
        raise Conflict("Det finns redan en administratör.")
    user = create(form.model_copy(update={"role": Role.admin.value}), session=session, clock=clock)
    # Checked again now that this transaction writes (on SQLite it holds the write lock, and
    # the password was hashed before it took it): two first visits at once make one admin.
    if session.exec(select(func.count()).select_from(User)).one() > 1:
        raise Conflict("Det finns redan en administratör.")
    return user


def authenticate(username: str, password: str, *, session: Session) -> User | None:
    user = get_by_username(username, session=session)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _active_admins(*, session: Session) -> int:
    """Counted for a change that must leave one: with the rows locked (PostgreSQL) or the
    write lock held (SQLite), so two admins demoting each other at once leave one."""
    hold_write_lock(session)
    admins = session.exec(
        select(User.id).where(User.role == Role.admin, User.is_active).with_for_update()
    ).all()
    return len(admins)


def _refuse_losing_last_admin(user: User, *, session: Session) -> None:
    if user.role == Role.admin and user.is_active and _active_admins(session=session) <= 1:
        raise Conflict("Det måste finnas minst en aktiv administratör.")


def change_role(user: User, role: str, *, actor: User, session: Session, clock: Clock) -> User:
    new_role = _check_role(role)
    if new_role != user.role:
        _refuse_losing_last_admin(user, session=session)
        security_log.record(
            session,
            security_log.Kind.role_changed,
            clock=clock,
            user=user,
            actor=actor,
            detail={"from": user.role.value, "to": new_role.value},
        )
        user.role = new_role
        session.add(user)
    return user


def set_active(
    user: User, active: bool, *, acting_user: User, session: Session, clock: Clock
) -> User:
    if not active:
        if user.id == acting_user.id:
            raise Conflict("Du kan inte inaktivera dig själv.")
        _refuse_losing_last_admin(user, session=session)
        sessions.revoke_all(
            user, session=session, clock=clock, reason="deactivated", actor=acting_user
        )
    if active != user.is_active:
        kind = security_log.Kind.user_activated if active else security_log.Kind.user_deactivated
        security_log.record(session, kind, clock=clock, user=user, actor=acting_user)
    user.is_active = active
    session.add(user)
    return user


def reset_password(
    user: User,
    password: str,
    password_confirm: str,
    *,
    actor: User,
    session: Session,
    clock: Clock,
) -> User:
    """An admin sets a new password; the user's open sessions end."""
    check_new_password(password, password_confirm)
    user.password_hash = hash_password(password)
    user.password_changed_at = clock.now()
    session.add(user)
    security_log.record(
        session, security_log.Kind.password_reset, clock=clock, user=user, actor=actor
    )
    sessions.revoke_all(user, session=session, clock=clock, reason="password_reset", actor=actor)
    return user


def change_own_password(
    user: User,
    current_password: str,
    password: str,
    password_confirm: str,
    *,
    keep_session_id: int,
    session: Session,
    clock: Clock,
) -> User:
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed("Nuvarande lösenord stämmer inte.", field="current_password")
    check_new_password(password, password_confirm)
    user.password_hash = hash_password(password)
    user.password_changed_at = clock.now()
    session.add(user)
    security_log.record(session, security_log.Kind.password_changed, clock=clock, user=user)
    sessions.revoke_all(
        user,
        session=session,
        clock=clock,
        reason="password_changed",
        except_id=keep_session_id,
    )
    return user


def set_locale(user: User, locale: str, *, session: Session) -> User:
    if locale not in LOCALES:
        raise ValidationFailed("Välj ett språk.", field="locale")
    user.locale = locale
    session.add(user)
    return user


def set_csv_delimiter(user: User, delimiter: str, *, session: Session) -> User:
    if delimiter not in CSV_DELIMITERS:
        raise ValidationFailed("Välj ett skiljetecken.", field="csv_delimiter")
    user.csv_delimiter = delimiter
    session.add(user)
    return user
