"""Dependencies of routes that name a company: load it, or NotFound (a 404, app/main.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.companies import service as companies
from app.companies.models import Company
from app.db import SessionDep


def valid_company(company_id: int, session: SessionDep) -> Company:
    return companies.get(company_id, session=session)


CompanyDep = Annotated[Company, Depends(valid_company)]
