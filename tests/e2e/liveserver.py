"""The app as the browser tests run it: on a settable clock, with a test-only route to set it.

Production code has no way to change its clock; only this entry point, which the e2e
fixtures start with uvicorn, can. MATCHA_TEST_NOW gives the starting instant (ISO 8601,
with an offset); POST /_test/clock with {"now": "<ISO 8601 instant>"} moves it.
"""

from __future__ import annotations

import datetime as dt
import json
import os

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.clock import SettableClock
from app.main import create_app

CLOCK_PATH = "/_test/clock"


def parse_instant(text: str) -> dt.datetime:
    instant = dt.datetime.fromisoformat(text)
    if instant.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return instant


def app_from_env() -> FastAPI:
    """uvicorn factory: `uvicorn tests.e2e.liveserver:app_from_env --factory`."""
    clock = SettableClock(parse_instant(os.environ["MATCHA_TEST_NOW"]))
    app = create_app(clock=clock)

    # A plain Starlette route: outside FastAPI's app-wide dependencies (CSRF), which is
    # fine for a route that exists only in this test server on 127.0.0.1.
    async def set_clock(request: Request) -> JSONResponse:
        try:
            clock.set(parse_instant(json.loads(await request.body())["now"]))
        except (ValueError, KeyError, TypeError) as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        return JSONResponse({"now": clock.now().isoformat()})

    # Ahead of every route of the app: its fallback (app/home.py) answers every path and
    # method with 404, so a route added after it would never be reached.
    app.router.add_route(CLOCK_PATH, set_clock, methods=["POST"])
    app.router.routes.insert(0, app.router.routes.pop())
    return app
