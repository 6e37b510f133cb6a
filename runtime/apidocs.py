"""The API docs a service serves: Swagger UI from local, pinned files, or none at all.

FastAPI's own ``/docs`` loads Swagger UI from a CDN, whatever its latest 5.x is today. Here
the files come from the ``fastapi-offline`` wheel, pinned to one version in
``pyproject.toml`` (and so in the lock file, with its hash): the page a browser runs is the
one that was reviewed, and it works without the internet. ``RATHAUS_API_DOCS`` switches
``/docs`` and ``/openapi.json`` on or off; production has them off unless asked.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

ASSETS = "/docs/assets"
_FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}


def asset_folder() -> Path:
    """Where the pinned Swagger UI files are (inside the installed ``fastapi-offline``)."""
    return Path(str(files("fastapi_offline") / "static"))


def install_api_docs(app: FastAPI) -> None:
    """Serve ``/docs`` (Swagger UI) with its files from this service, not from a CDN."""
    folder = asset_folder()

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} – API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
            swagger_ui_parameters={"persistAuthorization": False},
        )

    for name, media_type in _FILES.items():
        _serve(app, folder / name, name, media_type)


def _serve(app: FastAPI, path: Path, name: str, media_type: str) -> None:
    async def asset() -> FileResponse:
        # Pinned with the package: the same URL always has the same content.
        return FileResponse(
            path, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"}
        )

    app.add_api_route(f"{ASSETS}/{name}", asset, methods=["GET"], include_in_schema=False)
