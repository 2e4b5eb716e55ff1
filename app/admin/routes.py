"""Admin pages: users (list, create, change role, deactivate, reset password), the
security log (filtered, paged, exported), the default checklists of a new recruitment
event and a new job track, and what the reports' estimate of income support saved counts
with. Admins only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response, StreamingResponse

from app import saving
from app.admin import security_log as log_page
from app.assignments import income_support
from app.auth import service as users
from app.auth import sso_users
from app.auth.deps import Admin, require
from app.auth.models import ROLE_LABELS, Role, User, UserCreate
from app.auth.security_log import KIND_LABELS, REASONS
from app.clock import today
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError
from app.events import checklist
from app.events import feed as calendar_feed
from app.events.models import PHASE_LABELS, PHASES, ChecklistFor, ChecklistTemplateItem, Phase
from app.exports.audit import logged
from app.exports.files import download
from app.exports.table import ExportFormat, filename
from app.i18n import N_
from app.templating import render

router = APIRouter(prefix="/admin", dependencies=[Depends(require(Role.admin))])

# Routes that hash a password: they queue at a door of their own (app/admission.py).
PASSWORD_ROUTES = [("POST", "/admin/users"), ("POST", r"/admin/users/\d+/password")]


def valid_user(user_id: int, session: SessionDep) -> User:
    return users.get(user_id, session=session)  # NotFound: a 404 (app/main.py)


UserDep = Annotated[User, Depends(valid_user)]


@router.get("/users")
def list_users(request: Request, session: SessionDep, admin: Admin) -> Response:
    return render(request, "admin/users.html", {"users": users.list_(session=session)})


@router.get("/users/new")
def new_user_form(request: Request, admin: Admin) -> Response:
    return render(
        request, "admin/user_new.html", {"values": {"role": Role.broker.value}, "error": None}
    )


@router.post("/users")
def create_user(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    admin: Admin,
    form: Annotated[UserCreate, Form()],
) -> Response:
    def refused(error: DomainError) -> Response:
        return render(
            request,
            "admin/user_new.html",
            {"values": form.retyped(), "error": error},
            block="user_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        user = users.create(form, session=session, clock=clock, actor=admin)
    return saving.saved(
        request,
        session,
        "/admin/users",
        N_("Användaren %(name)s är skapad."),
        name=user.full_name,
    )


@router.get("/users/{user_id:int}")
def user_detail(request: Request, user: UserDep, admin: Admin) -> Response:
    return render(request, "admin/user_detail.html", _detail_context(user))


def _detail_context(user: User, **extra: object) -> dict[str, object]:
    """The user's page; `extra`: a form's error, or what was typed in it."""
    return {
        "user": user,
        "roles": list(Role),
        "role_error": None,
        "active_error": None,
        "password_error": None,
        "sso_error": None,
        "sso_values": {
            "oidc_issuer": user.oidc_issuer or "",
            "oidc_subject": user.oidc_subject or "",
        },
        **extra,
    }


def _apply(
    request: Request,
    session: SessionDep,
    user: User,
    block: str,
    error_key: str,
    change: Callable[[], object],
    done_message: str,
    typed: dict[str, object] | None = None,
) -> Response:
    """Runs one change to a user in one transaction; a refused change re-renders its form
    (with `typed`: what the user typed in it, by context key)."""

    def refused(error: DomainError) -> Response:
        session.refresh(user)
        return render(
            request,
            "admin/user_detail.html",
            _detail_context(user, **{error_key: error}, **(typed or {})),
            block=block,
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        change()
    url = f"/admin/users/{user.id}"
    return saving.saved(request, session, url, done_message, name=user.full_name)


@router.post("/users/{user_id:int}/role")
def change_role(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: UserDep,
    admin: Admin,
    role: Annotated[str, Form()] = "",
) -> Response:
    return _apply(
        request,
        session,
        user,
        "role_form",
        "role_error",
        lambda: users.change_role(user, role, actor=admin, session=session, clock=clock),
        N_("Rollen för %(name)s är ändrad."),
    )


@router.post("/users/{user_id:int}/active")
def set_active(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: UserDep,
    admin: Admin,
    active: Annotated[bool, Form()] = False,
) -> Response:
    if active:
        message = N_("%(name)s är aktiverad.")
    else:
        message = N_("%(name)s är inaktiverad och utloggad.")

    def change() -> None:
        users.set_active(user, active, acting_user=admin, session=session, clock=clock)
        if not active:
            # Signed out everywhere, the calendar feed too: reactivated, they make a new
            # feed address; the old one, perhaps still in a phone's calendar, stays dead.
            calendar_feed.revoke(user, session=session, clock=clock)

    return _apply(request, session, user, "active_form", "active_error", change, message)


@router.post("/users/{user_id:int}/sso")
def link_sso(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: UserDep,
    admin: Admin,
    oidc_issuer: Annotated[str, Form()] = "",
    oidc_subject: Annotated[str, Form()] = "",
) -> Response:
    """Links (or, both empty, unlinks) a user and their account at the OpenID provider."""
    return _apply(
        request,
        session,
        user,
        "sso_form",
        "sso_error",
        lambda: sso_users.link_by_admin(
            user, oidc_issuer, oidc_subject, session=session, clock=clock, actor=admin
        ),
        N_("Kopplingen till organisationens inloggning för %(name)s är sparad."),
        typed={"sso_values": {"oidc_issuer": oidc_issuer, "oidc_subject": oidc_subject}},
    )


@router.post("/users/{user_id:int}/password")
def reset_password(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: UserDep,
    admin: Admin,
    password: Annotated[str, Form()] = "",
    password_confirm: Annotated[str, Form()] = "",
) -> Response:
    return _apply(
        request,
        session,
        user,
        "password_form",
        "password_error",
        lambda: users.reset_password(
            user, password, password_confirm, actor=admin, session=session, clock=clock
        ),
        N_("Nytt lösenord är satt för %(name)s. Hen behöver logga in igen."),
    )


# --- the security log ----------------------------------------------------------------------

LogFilters = Annotated[log_page.SecurityLogFilters, Query()]


@router.get("/security-log")
def security_log(
    request: Request, session: SessionDep, clock: ClockDep, admin: Admin, filters: LogFilters
) -> Response:
    filters = filters.normalized()
    dates = log_page.period(filters, clock=clock)
    query = filters.query()
    context = {
        "filters": filters,
        "dates": dates,
        "page": log_page.list_(filters, dates, session=session),
        "page_url": lambda number: filters.url("/admin/security-log", number),
        "export_query": filters.url(""),
        "kind_labels": KIND_LABELS,
        "reason_labels": REASONS,
        "outcome_labels": log_page.OUTCOMES,
        "list_labels": log_page.LIST_LABELS,
        "role_labels": {role.value: label for role, label in ROLE_LABELS.items()},
        "filtering": bool(query),
        "today": today(clock),
    }
    return render(request, "admin/security_log.html", context, block="results")


@router.get("/security-log.{file_format}")
def export_security_log(
    file_format: ExportFormat,
    session: SessionDep,
    clock: ClockDep,
    admin: Admin,
    filters: LogFilters,
) -> StreamingResponse:
    filters = filters.normalized()
    dates = log_page.period(filters, clock=clock)
    table = log_page.table(filters, dates, session=session)
    name = filename(table, file_format, clock=clock)
    # Who read the log, and which part of it, is in the log too.
    log = logged("security_log", user=admin, session=session, clock=clock, filters=filters.query())
    return download(table, file_format, delimiter=admin.csv_delimiter, name=name, logged=log)


# --- the default checklists of a new recruitment event and a new job track ---------------


def valid_item(item_id: int, session: SessionDep) -> ChecklistTemplateItem:
    return checklist.get_item(item_id, session=session)  # NotFound: a 404 (app/main.py)


ItemDep = Annotated[ChecklistTemplateItem, Depends(valid_item)]


def _checklist_page(
    request: Request,
    session: SessionDep,
    *,
    error: DomainError | None = None,
    error_item: int | None = None,
    typed: checklist.TemplateItemForm | None = None,
    status_code: int = 200,
) -> Response:
    def by_phase(kind: ChecklistFor) -> dict[Phase, list[ChecklistTemplateItem]]:
        items = checklist.template(session=session, checklist=kind)
        return {phase: [i for i in items if i.phase == phase] for phase in PHASES}

    context = {
        "items_by_phase": {kind: by_phase(kind) for kind in ChecklistFor},
        "phase_labels": PHASE_LABELS,
        "phases": PHASES,
        "error": error,
        "error_item": error_item,
        "typed": typed or checklist.TemplateItemForm(),
    }
    return render(request, "admin/checklist.html", context, status_code=status_code)


@router.get("/checklist")
def show_checklist(request: Request, session: SessionDep, admin: Admin) -> Response:
    return _checklist_page(request, session)


def _checklist_change(
    request: Request,
    session: SessionDep,
    change: Callable[[], object],
    done_message: str,
    *,
    item_id: int | None = None,
    typed: checklist.TemplateItemForm | None = None,
    anchor: str = "",
) -> Response:
    def refused(error: DomainError) -> Response:
        return _checklist_page(
            request,
            session,
            error=error,
            error_item=item_id,
            typed=typed,
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        change()
    return saving.saved(request, session, f"/admin/checklist#{anchor}".rstrip("#"), done_message)


@router.post("/checklist")
def add_checklist_item(
    request: Request,
    session: SessionDep,
    admin: Admin,
    form: Annotated[checklist.TemplateItemForm, Form()],
) -> Response:
    return _checklist_change(
        request,
        session,
        lambda: checklist.add_item(form, session=session),
        N_("Punkten är tillagd i standardchecklistan."),
        typed=form,
        anchor=f"checklist-{form.checklist}",
    )


@router.post("/checklist/{item_id:int}")
def update_checklist_item(
    request: Request,
    session: SessionDep,
    admin: Admin,
    item: ItemDep,
    form: Annotated[checklist.TemplateItemForm, Form()],
) -> Response:
    return _checklist_change(
        request,
        session,
        lambda: checklist.update_item(item, form, session=session),
        N_("Punkten är sparad."),
        item_id=item.id,
        anchor=f"item-{item.id}",
        typed=form,
    )


@router.post("/checklist/{item_id:int}/move")
def move_checklist_item(
    request: Request,
    session: SessionDep,
    admin: Admin,
    item: ItemDep,
    direction: Annotated[str, Form()] = "up",
) -> Response:
    return _checklist_change(
        request,
        session,
        lambda: checklist.move_item(item, direction, session=session),
        N_("Punkten är flyttad."),
        item_id=item.id,
        anchor=f"item-{item.id}",
    )


@router.post("/checklist/{item_id:int}/delete")
def delete_checklist_item(
    request: Request, session: SessionDep, admin: Admin, item: ItemDep
) -> Response:
    return _checklist_change(
        request,
        session,
        lambda: checklist.delete_item(item, session=session),
        N_("Punkten är borttagen ur standardchecklistan."),
        item_id=item.id,
        anchor=f"checklist-{item.checklist.value}",
    )


# --- what the reports' estimate of income support saved counts with ----------------------


def _income_support_page(
    request: Request,
    session: SessionDep,
    *,
    typed: income_support.IncomeSupportForm | None = None,
    error: DomainError | None = None,
) -> Response:
    rate = income_support.current(session=session)
    changed_by = (
        users.get(rate.updated_by_id, session=session)
        if rate is not None and rate.updated_by_id is not None
        else None
    )
    context = {
        "rate": rate,
        "changed_by": changed_by,
        "values": typed or income_support.IncomeSupportForm.from_rate(rate),
        "error": error,
    }
    status_code = error.http_status if error else 200
    return render(
        request,
        "admin/income_support.html",
        context,
        block="rate_form" if error else None,
        status_code=status_code,
    )


@router.get("/income-support")
def show_income_support(request: Request, session: SessionDep, admin: Admin) -> Response:
    return _income_support_page(request, session)


@router.post("/income-support")
def save_income_support(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    admin: Admin,
    form: Annotated[income_support.IncomeSupportForm, Form()],
) -> Response:
    with saving.attempt(
        session,
        refused=lambda error: _income_support_page(request, session, typed=form, error=error),
    ):
        income_support.save(form, user=admin, session=session, clock=clock)
    return saving.saved(
        request, session, "/admin/income-support", N_("Underlaget för uppskattningen är sparat.")
    )
