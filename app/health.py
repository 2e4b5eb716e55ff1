"""/healthz: is the app up, can it read its database, and does the database take writes?
For load balancers, Docker and monitoring."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import __version__
from app.db import writable

router = APIRouter()


@router.get("/healthz")
def healthz(request: Request, write: bool = False) -> JSONResponse:
    """200 while the database can be read, with whether it takes writes ("read-only": its
    disk full or its file or server read-only): pages keep working then, saves do not.
    `?write=1` answers 503 in that case too, for monitoring that should raise the alarm."""
    engine = request.app.state.engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse(
            {"status": "error", "database": "unreachable", "version": __version__}, status_code=503
        )
    state = writable(engine, thorough=write)
    body = {"engine": engine.dialect.name, "version": __version__}
    if state is True:
        return JSONResponse({"status": "ok", "database": "ok", **body})
    return JSONResponse(
        {"status": "degraded", "database": state, **body}, status_code=503 if write else 200
    )
