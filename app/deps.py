"""Request-wide dependencies that every feature uses: settings, clock."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.clock import Clock
from app.config import Settings


def get_clock(request: Request) -> Clock:
    return request.app.state.clock


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
