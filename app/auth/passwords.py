"""Password hashing with argon2id and the rules a new password must meet."""

from __future__ import annotations

import os
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.errors import ValidationFailed

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Each hash takes 64 MiB and a core's worth of work for a moment (argon2-cffi's defaults,
# RFC 9106's low-memory choice). Fifty people signing in at once must not take 50 x 64 MiB
# nor starve every other request of the processor: at most one hash per core at a time,
# the others queue here (outside any database transaction: see app/db.py).
HASHING_SLOTS = os.cpu_count() or 1
_slots = threading.BoundedSemaphore(HASHING_SLOTS)
# Verified when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password anyone has")

MIN_LENGTH = 10
MAX_LENGTH = 200


def hash_password(password: str) -> str:
    with _slots:
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        with _slots:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def check_new_password(password: str, confirmation: str | None = None) -> None:
    if len(password) < MIN_LENGTH:
        raise ValidationFailed("Lösenordet måste ha minst 10 tecken.", field="password")
    if len(password) > MAX_LENGTH:
        raise ValidationFailed("Lösenordet får ha högst 200 tecken.", field="password")
    if confirmation is not None and password != confirmation:
        raise ValidationFailed("Lösenorden stämmer inte överens.", field="password_confirm")
