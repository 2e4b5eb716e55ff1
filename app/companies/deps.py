"""Dependencies of routes that name a company: load it or answer 404, once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException

from app.companies import service as companies
from app.companies.models import Company
from app.db import SessionDep
from app.errors import NotFound


def valid_company(company_id: int, session: SessionDep) -> Company:
    try:
        return companies.get(company_id, session=session)
    except NotFound:
        raise HTTPException(status_code=404) from None


CompanyDep = Annotated[Company, Depends(valid_company)]
