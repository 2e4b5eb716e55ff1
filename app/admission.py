"""How many requests a server process works on at once; the rest wait at the door.

Routes run in worker threads, and each request holds a database connection from its
first query until its answer is sent. Let every request in at once and, under load, the
requests that hold connections wait for threads while the threads wait for connections:
the pool runs dry and everything stops. Python also runs one thread at a time, so forty
requests at once each take far longer than a few. So at most `limit` requests are let in;
those beyond it wait here, in the event loop, holding neither a thread nor a connection.

Requests that hash a password (argon2: a moment of every core and 64 MiB) have a door of
their own with one place per core: fifty people signing in at once queue there and do not
take the places of colleagues who are working.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send


class AdmissionMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        password_limit: int,
        password_routes: Iterable[tuple[str, str]],
    ) -> None:
        self.app = app
        self.limit = limit
        self.password_limit = password_limit
        self.password_routes = [
            (method, re.compile(pattern)) for method, pattern in password_routes
        ]
        # Made in the loop that first uses them (a test client runs its own loop).
        self._doors: dict[int, tuple[asyncio.Semaphore, asyncio.Semaphore]] = {}

    def _door(self, scope: Scope) -> asyncio.Semaphore:
        loop = id(asyncio.get_running_loop())
        doors = self._doors.get(loop)
        if doors is None:
            doors = (asyncio.Semaphore(self.limit), asyncio.Semaphore(self.password_limit))
            self._doors = {loop: doors}  # one loop at a time: forget a finished one
        method, path = scope["method"], scope["path"]
        hashes = any(m == method and p.fullmatch(path) for m, p in self.password_routes)
        return doors[1] if hashes else doors[0]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        async with self._door(scope):
            await self.app(scope, receive, send)
