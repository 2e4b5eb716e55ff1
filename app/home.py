"""The start page. Until 'Min dag' exists, each role lands where its work is."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import AnyUser
from app.auth.models import Role
from app.templating import see_other

router = APIRouter()


@router.get("/")
def home(request: Request, user: AnyUser) -> Response:
    return see_other(request, "/admin/users" if user.role == Role.admin else "/account")
