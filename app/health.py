"""/healthz: is the app up, and can it reach its database? For load balancers and Docker."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import __version__

router = APIRouter()


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    engine = request.app.state.engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse(
            {"status": "error", "database": "unreachable", "version": __version__}, status_code=503
        )
    return JSONResponse(
        {"status": "ok", "database": "ok", "engine": engine.dialect.name, "version": __version__}
    )
