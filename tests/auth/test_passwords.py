"""Password hashing (argon2id, 64 MiB and a moment of the processor each): at most one at a
time per core, however many people sign in at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from argon2 import PasswordHasher

from app.auth import passwords


class CountingHasher(PasswordHasher):
    """argon2-cffi's own hasher, counting how many hashes run at the same moment."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0

    def _enter(self) -> None:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.02)  # long enough for the others to pile up if they may

    def _leave(self) -> None:
        with self.lock:
            self.running -= 1

    def hash(self, password, *, salt=None):  # type: ignore[no-untyped-def, override]
        self._enter()
        try:
            return super().hash(password, salt=salt)
        finally:
            self._leave()

    def verify(self, hash, password):  # type: ignore[no-untyped-def, override]
        self._enter()
        try:
            return super().verify(hash, password)
        finally:
            self._leave()


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    hasher = CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    return hasher


def test_no_more_hashes_at_once_than_there_are_cores(counting):
    stored = passwords.hash_password("ett-långt-lösenord")
    workers = passwords.HASHING_SLOTS * 4
    with ThreadPoolExecutor(workers) as pool:
        checks = list(pool.map(lambda _: passwords.verify_password(stored, "fel"), range(workers)))
        hashes = list(pool.map(lambda _: passwords.hash_password("ett-annat-lösenord"), range(4)))
    assert checks == [False] * workers and len(set(hashes)) == 4
    assert 1 <= counting.most <= passwords.HASHING_SLOTS


def test_a_failed_check_frees_its_place(counting):
    for _ in range(passwords.HASHING_SLOTS + 2):
        assert not passwords.verify_password("not an argon2 hash", "x")
    assert passwords.verify_password(passwords.hash_password("rätt-lösenord"), "rätt-lösenord")
    assert counting.running == 0
