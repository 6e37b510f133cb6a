"""HTTP conventions every service shares: German, field-level errors and no 500 on bad input.

A citizen who mistypes a date reads, next to that field, what to correct — in German. The
technical error type stays in the response for programs (``type``), the text is for people.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger(__name__)

MESSAGES: dict[str, str] = {
    "missing": "Diese Angabe fehlt.",
    "json_invalid": "Die Anfrage ist kein gültiges JSON.",
    "json_type": "Die Anfrage muss ein JSON-Objekt sein.",
    "model_type": "Hier wird ein Objekt mit Feldern erwartet.",
    "model_attributes_type": "Hier wird ein Objekt mit Feldern erwartet.",
    "dict_type": "Hier wird ein Objekt mit Feldern erwartet.",
    "extra_forbidden": "Dieses Feld ist unbekannt.",
    "string_type": "Hier wird ein Text erwartet.",
    "string_too_short": "Bitte füllen Sie dieses Feld aus.",
    "string_too_long": "Der Text ist zu lang (höchstens {max_length} Zeichen).",
    "string_pattern_mismatch": "Das Format stimmt nicht.",
    "int_type": "Hier wird eine ganze Zahl erwartet.",
    "int_parsing": "Hier wird eine ganze Zahl erwartet.",
    "int_from_float": "Hier wird eine ganze Zahl erwartet.",
    "float_type": "Hier wird eine Zahl erwartet.",
    "float_parsing": "Hier wird eine Zahl erwartet.",
    "decimal_parsing": "Hier wird ein Betrag erwartet.",
    "bool_type": "Hier wird Ja oder Nein (true/false) erwartet.",
    "bool_parsing": "Hier wird Ja oder Nein (true/false) erwartet.",
    "date_type": "Bitte geben Sie ein Datum im Format JJJJ-MM-TT an.",
    "date_parsing": "Bitte geben Sie ein Datum im Format JJJJ-MM-TT an.",
    "date_from_datetime_parsing": "Bitte geben Sie ein Datum im Format JJJJ-MM-TT an.",
    "date_from_datetime_inexact": "Bitte geben Sie ein Datum ohne Uhrzeit an.",
    "datetime_type": "Bitte geben Sie Datum und Uhrzeit an.",
    "datetime_parsing": "Bitte geben Sie Datum und Uhrzeit an.",
    "list_type": "Hier wird eine Liste erwartet.",
    "enum": "Bitte wählen Sie einen der zulässigen Werte: {expected}.",
    "literal_error": "Bitte wählen Sie einen der zulässigen Werte: {expected}.",
    "greater_than_equal": "Der Wert muss mindestens {ge} sein.",
    "less_than_equal": "Der Wert darf höchstens {le} sein.",
    "greater_than": "Der Wert muss größer als {gt} sein.",
    "less_than": "Der Wert muss kleiner als {lt} sein.",
    "too_short": "Bitte geben Sie mindestens {min_length} Einträge an.",
    "too_long": "Bitte geben Sie höchstens {max_length} Einträge an.",
    "uuid_parsing": "Das ist keine gültige Kennung.",
    "uuid_type": "Das ist keine gültige Kennung.",
    "base64_decode": "Der Dateiinhalt ist nicht gültig Base64-kodiert.",
    "bytes_type": "Hier wird ein Dateiinhalt erwartet.",
}
FALLBACK = "Diese Angabe ist ungültig."
ENVELOPE_TITLE = "Bitte prüfen Sie Ihre Angaben."


def german_message(error: dict[str, Any]) -> str:
    """The German text for one pydantic error."""
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in context:
        return str(context["error"])
    template = MESSAGES.get(kind)
    if template is None:
        return FALLBACK
    if kind == "literal_error" and context.get("expected") == "True":
        return "Bitte bestätigen Sie diese Angabe."
    if "expected" in context:
        context = {**context, "expected": str(context["expected"]).replace("' or '", "' oder '")}
    try:
        return template.format(**{k: str(v) for k, v in context.items()})
    except (KeyError, IndexError):
        return FALLBACK


def field_path(loc: Sequence[Any], strip: int = 0) -> str:
    """``("body", "applicant", "birth_date")`` → ``applicant.birth_date``."""
    parts = [str(part) for part in list(loc)[strip:]]
    return ".".join(parts) if parts else "(Anfrage)"


class FieldError(BaseModel):
    """One wrong field: where, what (German), and a machine-readable type."""

    field: str
    message: str
    type: str


class ErrorBody(BaseModel):
    """The body of every 4xx answer."""

    title: str
    detail: str | None = None
    errors: list[FieldError] = []


def field_errors(errors: Sequence[Any], strip: int = 0, prefix: str = "") -> list[FieldError]:
    """Translate pydantic errors into ``FieldError``s."""
    result = []
    for error in errors:
        path = field_path(error.get("loc", ()), strip)
        result.append(
            FieldError(
                field=f"{prefix}{path}" if prefix and path != "(Anfrage)" else path,
                message=german_message(error),
                type=str(error.get("type", "invalid")),
            )
        )
    return result


UNPRINTABLE = "Der Text enthält ein unzulässiges Steuerzeichen oder ungültiges Zeichen."


def unprintable_fields(value: Any, loc: tuple[Any, ...] = ()) -> list[FieldError]:
    """Strings in a JSON value that hold control characters or lone surrogates.

    JSON may carry ``\\u0000`` or half of a surrogate pair; PostgreSQL refuses the one and
    UTF-8 cannot encode the other, so either would fail far from the citizen who sent it.
    Tabs and line breaks are text and pass.
    """
    if isinstance(value, str):
        if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r" for c in value):
            path = field_path(loc)
            return [FieldError(field=path, message=UNPRINTABLE, type="string_unprintable")]
        return []
    if isinstance(value, dict):
        return [e for k, v in value.items() for e in unprintable_fields(v, (*loc, k))]
    if isinstance(value, list):
        return [e for i, v in enumerate(value) for e in unprintable_fields(v, (*loc, i))]
    return []


def validation_response(errors: list[FieldError], status: int = 422) -> JSONResponse:
    """The 422 answer listing every wrong field."""
    body = ErrorBody(title=ENVELOPE_TITLE, errors=errors)
    return JSONResponse(body.model_dump(), status_code=status)


def problem(status: int, title: str, detail: str | None = None) -> JSONResponse:
    """A 4xx/5xx answer without field errors."""
    return JSONResponse(ErrorBody(title=title, detail=detail).model_dump(), status_code=status)


STATUS_TITLES = {
    400: "Die Anfrage ist fehlerhaft.",
    404: "Nicht gefunden.",
    405: "Diese Methode ist hier nicht erlaubt.",
    409: "Konflikt mit dem aktuellen Stand.",
    413: "Die Anfrage ist zu groß.",
    415: "Dieses Format wird nicht unterstützt.",
}


class BodySizeLimit:
    """ASGI middleware: refuse a request body larger than ``max_bytes`` with a German 413."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Any:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Any, receive: Any, send: Any) -> None:
        limit = self.max_bytes // (1024 * 1024)
        response = problem(413, STATUS_TITLES[413], f"Höchstens {limit} MB pro Anfrage.")
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


def install_error_handlers(app: FastAPI) -> None:
    """German, structured error answers for validation errors, HTTP errors and crashes."""

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_response(field_errors(exc.errors(), strip=1))

    @app.exception_handler(ValidationError)
    async def _invalid_model(_: Request, exc: ValidationError) -> JSONResponse:
        return validation_response(field_errors(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = STATUS_TITLES.get(exc.status_code, "Die Anfrage konnte nicht bearbeitet werden.")
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
        if detail in ("Not Found", "Method Not Allowed"):
            detail = None
        return problem(exc.status_code, title, detail)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", path=request.url.path)
        return problem(
            500,
            "Ein interner Fehler ist aufgetreten.",
            "Bitte versuchen Sie es später erneut. Ihre Angaben wurden nicht gespeichert.",
        )
