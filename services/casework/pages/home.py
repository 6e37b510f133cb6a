"""The desk's home page, "Arbeitsplatz": who is signed in, for which towns and procedures."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from runtime.desk import Desk, DeskUser, desk_router


def router(desk: Desk) -> APIRouter:
    """``GET /desk/``."""
    pages = desk_router()

    @pages.get("/")
    async def workplace(request: Request, user: DeskUser) -> Response:
        """The signed-in clerk's workplace."""
        return desk.page(request, "arbeitsplatz.html", {"clerk": user})

    return pages
