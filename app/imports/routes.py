"""The import wizard: upload a sheet, follow the job's page, import (the worker runs the
job), download the failed rows and undo, or give up an import not yet started. Mapping
the sheet and the preview: mapping_routes.py. Admins and brokers only; every step works
without JavaScript, and the job page lives in the database, so a reload shows where the
import is."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session

from app import saving
from app.auth import security_log
from app.auth.deps import Editor
from app.auth.models import User
from app.db import SessionDep
from app.deps import ClockDep, SettingsDep
from app.errors import DomainError, ValidationFailed
from app.i18n import N_
from app.imports import engine, jobs, pages, undo, upload
from app.imports.bounds import Limits
from app.imports.deps import DiscardableJob, JobDep
from app.imports.kinds import KINDS
from app.imports.models import ImportJob, ImportKind, ImportStatus
from app.templating import render

router = APIRouter()

ACCEPTED_FILES = ".csv,.xlsx"
NO_FILE = N_("Välj en fil att importera.")
UNKNOWN_KIND = N_("Välj vad filen innehåller.")


def supported_kinds() -> list[ImportKind]:
    """The kinds the engine can import: a kind added to app/imports/kinds shows up here."""
    return [kind for kind in ImportKind if kind in KINDS]


# --- the history and a new import -----------------------------------------------------------


def _index(
    request: Request,
    session: Session,
    settings: Any,
    user: User,
    *,
    kind: str = "",
    error: DomainError | None = None,
    status_code: int = 200,
) -> Response:
    past = engine.history(session=session)
    context = {
        "jobs": past,
        "people": pages.people(session, {job.user_id for job in past}),
        "discardable": {job.id for job in past if pages.may_discard(user, job)},
        "kinds": supported_kinds(),
        "chosen_kind": kind,
        "max_mb": settings.import_max_mb,
        "accepted_files": ACCEPTED_FILES,
        "error": error,
        **pages.labels(),
    }
    return render(request, "imports/index.html", context, status_code=status_code)


@router.get("/imports")
def list_imports(
    request: Request, user: Editor, session: SessionDep, settings: SettingsDep
) -> Response:
    return _index(request, session, settings, user)


@router.post("/imports")
def upload_file(
    request: Request,
    user: Editor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    kind: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    def refused(error: DomainError) -> Response:
        return _index(
            request,
            session,
            settings,
            user,
            kind=kind,
            error=error,
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        if kind not in {k.value for k in supported_kinds()}:
            raise ValidationFailed(UNKNOWN_KIND, field="kind")
        if file is None or not file.filename:
            raise ValidationFailed(NO_FILE, field="file")
        # In 1 MB chunks: a file over the limit is refused before it is all in memory.
        data = upload.read_limited(file.file, max_mb=settings.import_max_mb)
        if not data:
            raise ValidationFailed(NO_FILE, field="file")
        analysis = engine.analyse(
            data,
            file.filename,
            kind=ImportKind(kind),
            user=user,
            session=session,
            clock=clock,
            limits=Limits.of(settings),
        )
    return saving.saved(request, session, f"/imports/{analysis.job.id}")


# --- the job's page -----------------------------------------------------------------------


@router.get("/imports/{job_id:int}")
def show_import(request: Request, user: Editor, session: SessionDep, job: JobDep) -> Response:
    if job.status == ImportStatus.analysed:
        return pages.mapping_page(request, session, job, user=user)
    return _job_page(request, session, job)


def _job_page(
    request: Request,
    session: Session,
    job: ImportJob,
    *,
    error: DomainError | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "job": job,
        "people": pages.people(session, {job.user_id}),
        "failures": engine.failures(job, session=session)[: pages.PREVIEW_ROWS]
        if job.failed_count
        else [],
        "working": job.status in (ImportStatus.queued, ImportStatus.running),
        "error": error,
        **pages.labels(),
    }
    return render(request, "imports/job.html", context, block="status", status_code=status_code)


def _refused_on_job_page(request: Request, session: Session, job_id: int) -> saving.Refused:
    """A refused step shows the job's page as it is now, with the reason."""

    def answer(error: DomainError) -> Response:
        job = engine.get(job_id, session=session)
        return _job_page(request, session, job, error=error, status_code=error.http_status)

    return answer


@router.post("/imports/{job_id:int}/queue")
def queue_import(request: Request, user: Editor, session: SessionDep, job: JobDep) -> Response:
    job_id = job.id
    with saving.attempt(session, refused=_refused_on_job_page(request, session, job_id)):
        engine.queue(job, session=session)
    return saving.saved(request, session, f"/imports/{job_id}", N_("Importen har startat."))


@router.post("/imports/{job_id:int}/discard")
def discard_import(
    request: Request, user: Editor, session: SessionDep, job: DiscardableJob
) -> Response:
    """Gives up an import not yet started: the job and its file are removed."""
    job_id, file_name = job.id, job.file_name
    with saving.attempt(session, refused=_refused_on_job_page(request, session, job_id)):
        jobs.discard(job, session=session)
    return saving.saved(
        request, session, "/imports", N_("Importen av %(file)s är borttagen."), file=file_name
    )


# --- the result ---------------------------------------------------------------------------


@router.get("/imports/{job_id:int}/failed.csv")
def failed_rows(user: Editor, session: SessionDep, clock: ClockDep, job: JobDep) -> Response:
    stem = job.file_name.rsplit(".", 1)[0] or "import"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:80]
    body = engine.failed_rows_csv(job, session=session)
    # The rows of a file of personal data: an export like the lists' (app/exports/audit.py).
    security_log.record(
        session,
        security_log.Kind.export,
        clock=clock,
        user=user,
        detail={"list": "import_failed_rows", "format": "csv", "filters": {"import_id": job.id}},
        rows=job.failed_count,
    )
    saving.commit(session)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{safe}_misslyckade_rader.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/imports/{job_id:int}/undo")
def undo_import(
    request: Request, user: Editor, session: SessionDep, clock: ClockDep, job: JobDep
) -> Response:
    job_id = job.id
    with saving.attempt(session, refused=_refused_on_job_page(request, session, job_id)):
        undo.undo(job, user=user, session=session, clock=clock)
    return saving.saved(request, session, f"/imports/{job_id}", N_("Importen är ångrad."))
