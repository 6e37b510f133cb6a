"""HTTP conventions every service shares: German errors that match the documented contract.

A citizen who mistypes a date reads, next to that field, what to correct — in German. The
technical error type stays in the response for programs (``type``), the text is for people.
Every error has the same body (``ErrorBody``), and the OpenAPI says so (``error_responses``):

- 422 for a body or parameter that does not fit, field by field (malformed JSON and text that
  is not UTF-8 too, with line and column);
- 413 for a body over the route's own limit, 415 for a body that is not JSON (``JsonRoute``);
- 404, 405 (with ``Allow``), 409 as the route decides;
- 503 with ``Retry-After`` when NATS or PostgreSQL cannot be reached (``INFRASTRUCTURE_ERRORS``):
  an outage is not the client's fault and not a bug, and the same request will succeed later.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, TypeVar

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from runtime.failures import INFRASTRUCTURE_ERRORS

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
CONFIRM = "Bitte bestätigen Sie diese Angabe."
"""A declaration that must be ticked (``Literal[True]``) was not."""
ENVELOPE_TITLE = "Bitte prüfen Sie Ihre Angaben."


def german_message(error: dict[str, Any]) -> str:
    """The German text for one pydantic error."""
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if "german" in context:  # written in German where it was raised (``_unreadable``)
        return str(context["german"])
    if kind in ("value_error", "assertion_error") and "error" in context:
        return str(context["error"])
    template = MESSAGES.get(kind)
    if template is None:
        return FALLBACK
    if kind == "literal_error" and context.get("expected") == "True":
        return CONFIRM
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


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A 4xx/5xx answer without field errors."""
    body = ErrorBody(title=title, detail=detail).model_dump()
    return JSONResponse(body, status_code=status, headers=headers)


STATUS_TITLES = {
    400: "Die Anfrage ist fehlerhaft.",
    401: "Anmeldung erforderlich.",
    403: "Keine Berechtigung.",
    404: "Nicht gefunden.",
    405: "Diese Methode ist hier nicht erlaubt.",
    409: "Konflikt mit dem aktuellen Stand.",
    413: "Die Anfrage ist zu groß.",
    415: "Dieses Format wird nicht unterstützt.",
    422: ENVELOPE_TITLE,
    429: "Zu viele Anträge in kurzer Zeit.",
    503: "Der Dienst ist vorübergehend nicht erreichbar.",
}

RETRY_AFTER_SECONDS = 5
"""How long a client should wait after a 503: NATS reconnects every second, PostgreSQL's pool
on the next request, so a short outage is over by then; a longer one answers 503 again."""

UNAVAILABLE_DETAIL = (
    "Ein benötigter Dienst antwortet gerade nicht. Bitte versuchen Sie es in einigen "
    "Sekunden erneut."
)


def unavailable(detail: str = UNAVAILABLE_DETAIL) -> JSONResponse:
    """The 503 answer while NATS or PostgreSQL cannot be reached: try again later."""
    return problem(
        503, STATUS_TITLES[503], detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


# --- The OpenAPI side: every error a route can answer, with the body it really has ---------

ERROR_DESCRIPTIONS = {
    401: (
        "Anmeldung erforderlich: kein, ein ungültiges oder ein abgelaufenes Zugangstoken "
        "(`Authorization: Bearer …`). `WWW-Authenticate` sagt, was fehlt."
    ),
    403: "Keine Berechtigung: Dem Zugang fehlt die nötige Rolle.",
    404: "Nicht gefunden (die Meldung sagt, was fehlt).",
    409: "Konflikt mit dem aktuellen Stand (die Meldung sagt, welcher).",
    413: "Die Anfrage ist größer, als diese Route annimmt (die Meldung nennt die Grenze).",
    415: "Der Inhalt ist kein JSON: bitte mit `Content-Type: application/json` senden.",
    429: "Zu viele Anfragen von diesem Absender oder an diesen Empfänger; nach `Retry-After`"
    " Sekunden erneut senden.",
    422: (
        "Angaben ungültig: je Feld eine deutsche Meldung in `errors`; auch für JSON, das "
        "nicht lesbar ist (mit Zeile und Spalte), und Text, der nicht UTF-8 ist."
    ),
    502: "Ein Partnersystem (etwa das Staatsarchiv) hat unbrauchbar geantwortet; die Meldung"
    " sagt, was an der Antwort nicht stimmte.",
    503: (
        "NATS oder PostgreSQL ist vorübergehend nicht erreichbar; nichts wurde ausgeführt. "
        "Nach `Retry-After` Sekunden erneut senden."
    ),
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route can answer, all with ``ErrorBody``.

    ``@api.get(..., responses=error_responses(404, 422, 503))``
    """
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        response: dict[str, Any] = {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[status]}
        if status == 401:
            response["headers"] = {
                "WWW-Authenticate": {
                    "description": "`Bearer`, bei einem untauglichen Token mit `error`.",
                    "required": True,
                    "schema": {"type": "string"},
                }
            }
        if status in (429, 503):
            response["headers"] = {
                "Retry-After": {
                    "description": "Sekunden, nach denen sich ein neuer Versuch lohnt.",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1},
                }
            }
        responses[status] = response
    return responses


def _use_error_body_for_validation_errors(app: FastAPI) -> None:
    """Make the OpenAPI say what a 422 really is: FastAPI documents its own body by default.

    A route that declares ``error_responses(422, …)`` has ErrorBody already; this covers any
    route that does not, so the contract can never claim FastAPI's ``detail`` array again.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            own = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(own.pop("$defs", {}))
            schemas.setdefault("ErrorBody", own)
            _replace_ref(
                schema.get("paths", {}),
                "#/components/schemas/HTTPValidationError",
                "#/components/schemas/ErrorBody",
            )
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _replace_ref(node: Any, old: str, new: str) -> None:
    if isinstance(node, dict):
        if node.get("$ref") == old:
            node["$ref"] = new
        for value in node.values():
            _replace_ref(value, old, new)
    elif isinstance(node, list):
        for value in node:
            _replace_ref(value, old, new)


# --- JSON bodies: the route's own size limit, JSON only, German parse errors --------------

DEFAULT_BODY_LIMIT = 64 * 1024
"""A JSON body's limit unless its route sets another (``body_limit``): forms are small."""

_LIMIT_ATTRIBUTE = "__rathaus_body_limit__"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def body_limit(max_bytes: int) -> Callable[[Endpoint], Endpoint]:
    """Give a route's JSON body its own size limit (put it below ``@api.post(…)``)."""

    def mark(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, _LIMIT_ATTRIBUTE, max_bytes)
        return endpoint

    return mark


class JsonRoute(APIRoute):
    """A route whose JSON body is checked before FastAPI sees it.

    The body must be declared as JSON (415 otherwise, even for JSON sent as ``text/plain``),
    at most the route's limit (413, without reading further than the limit), UTF-8 and
    well-formed JSON (422 with line and column, in German). FastAPI then validates the
    parsed body as usual. Use it for every router with bodies:
    ``APIRouter(route_class=JsonRoute)``.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, behind the checks of the body."""
        handle = super().get_route_handler()
        if self.body_field is None:
            return handle
        limit: int = getattr(self.endpoint, _LIMIT_ATTRIBUTE, DEFAULT_BODY_LIMIT)

        async def read_body_then_handle(request: Request) -> Response:
            _refuse_other_content_types(request)
            raw = await _read_within(request, limit)
            parsed = _parse_json(raw) if raw else None
            return await handle(_ReadRequest(request.scope, request.receive, raw, parsed))

        return read_body_then_handle


class _ReadRequest(Request):
    """A request whose body was read and parsed already; FastAPI takes both from here."""

    def __init__(self, scope: Scope, receive: Receive, raw: bytes, parsed: Any) -> None:
        super().__init__(scope, receive)
        self._raw = raw
        self._parsed = parsed

    async def body(self) -> bytes:
        """The body as read."""
        return self._raw

    async def json(self) -> Any:
        """The body as parsed."""
        return self._parsed


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` or ``application/<something>+json``, parameters ignored."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _refuse_other_content_types(request: Request) -> None:
    content_type = request.headers.get("content-type")
    if content_type is None:
        # Without a type, only an empty body passes (and is then reported as missing).
        if request.headers.get("content-length", "0") == "0" and not _is_chunked(request):
            return
    elif is_json_media_type(content_type):
        return
    raise StarletteHTTPException(
        415, "Bitte senden Sie die Angaben als JSON (Content-Type: application/json)."
    )


def _is_chunked(request: Request) -> bool:
    return "chunked" in request.headers.get("transfer-encoding", "").lower()


async def read_within(request: Request, limit: int) -> bytes:
    """A non-JSON body (a file), refused with 413 as soon as it passes ``limit``."""
    return await _read_within(request, limit)


async def _read_within(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> StarletteHTTPException:
    return StarletteHTTPException(
        413, f"Diese Anfrage darf höchstens {size_text(limit)} groß sein."
    )


def size_text(size: int) -> str:
    """``65536`` → ``64 KB``, ``28311552`` → ``27 MB`` (binary units, German decimal comma)."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            amount = f"{size / factor:.1f}".removesuffix(".0").replace(".", ",")
            return f"{amount} {unit}"
    return f"{size} Bytes"


JSON_REASONS = {
    "Expecting value": "Hier wird ein Wert erwartet",
    "Expecting property name enclosed in double quotes": (
        "Hier wird ein Feldname in doppelten Anführungszeichen erwartet"
    ),
    "Expecting ':' delimiter": "Hier wird ein Doppelpunkt erwartet",
    "Expecting ',' delimiter": "Hier wird ein Komma erwartet",
    "Unterminated string starting at": 'Dieser Text wird nicht mit " abgeschlossen',
    "Invalid control character at": "Steuerzeichen müssen im Text maskiert werden",
    "Invalid \\escape": "Ungültige Maskierung mit \\",
    "Invalid \\uXXXX escape": "Ungültige Maskierung mit \\u",
    "Extra data": "Nach dem Ende folgen weitere Zeichen",
    "Unexpected UTF-8 BOM (decode using utf-8-sig)": "Die Anfrage beginnt mit einer BOM",
    "Illegal trailing comma before end of object": "Überzähliges Komma",
    "Illegal trailing comma before end of array": "Überzähliges Komma",
}
"""Python's JSON parser messages, in German."""


def _parse_json(raw: bytes) -> Any:
    """The body as JSON, or a ``RequestValidationError`` whose message names line and column."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(raw, exc.start)
        raise _unreadable(
            f"Die Anfrage ist kein gültiger UTF-8-Text (Zeile {line}, Spalte {column}).",
            "utf8_invalid",
        ) from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        reason = JSON_REASONS.get(exc.msg, "Ungültiges Zeichen")
        raise _unreadable(
            f"Die Anfrage ist kein gültiges JSON: {reason} (Zeile {exc.lineno}, "
            f"Spalte {exc.colno}).",
            "json_invalid",
        ) from None
    except RecursionError:
        raise _unreadable(
            "Die Anfrage ist zu tief verschachtelt, um sie zu lesen.", "json_invalid"
        ) from None
    except ValueError as exc:
        detail = str(exc) if isinstance(exc, _ConstantRefused) else "Die Zahl ist zu lang"
        raise _unreadable(
            f"Die Anfrage ist kein gültiges JSON: {detail}.", "json_invalid"
        ) from None


class _ConstantRefused(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _ConstantRefused(f"{name} ist in JSON nicht erlaubt")


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """Line and column (both from 1, the column in characters) of a byte offset."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


def _unreadable(message: str, kind: str) -> RequestValidationError:
    # ``loc`` ("body",) reads as "(Anfrage)"; the message is ready, not a pydantic template.
    return RequestValidationError(
        [{"type": kind, "loc": ("body",), "msg": message, "ctx": {"german": message}}]
    )


# --- Handlers ------------------------------------------------------------------------------


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers on this request's path.

    Asked of the routes themselves, method by method (included routers answer for theirs).
    """
    return [
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.routes
        )
    ]


def install_error_handlers(app: FastAPI) -> None:
    """German, structured error answers for every error, and an OpenAPI that documents them."""

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_response(field_errors(exc.errors(), strip=1))

    @app.exception_handler(ValidationError)
    async def _invalid_model(_: Request, exc: ValidationError) -> JSONResponse:
        return validation_response(field_errors(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = STATUS_TITLES.get(exc.status_code, "Die Anfrage konnte nicht bearbeitet werden.")
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
        if detail in ("Not Found", "Method Not Allowed"):
            detail = None
        # Keep the exception's headers: a 405 must say which methods are allowed (``Allow``) —
        # all of them, also those of other routes on the same path (a PUT and a DELETE).
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem(exc.status_code, title, detail, headers=headers)

    async def _unreachable(request: Request, exc: Exception) -> JSONResponse:
        log.warning(
            "dependency unreachable, answered 503",
            path=request.url.path,
            error=f"{type(exc).__name__}: {exc}",
        )
        return unavailable()

    for kind in INFRASTRUCTURE_ERRORS:
        app.add_exception_handler(kind, _unreachable)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", path=request.url.path)
        return problem(
            500,
            "Ein interner Fehler ist aufgetreten.",
            "Bitte versuchen Sie es später erneut. Ihre Angaben wurden nicht gespeichert.",
        )

    _use_error_body_for_validation_errors(app)


class ProtectiveHeaders:
    """ASGI middleware: answers are not cached, leak no referrer and are not sniffed.

    Most answers carry personal data or a token (a status with its tracking link, an operator
    listing), so ``Cache-Control: no-store`` is the default; a route that may be cached (a
    static asset) says so itself, and its header is kept. ``Referrer-Policy: no-referrer``
    keeps a tracking link out of the next site's logs.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in _PROTECTIVE:
                    if name not in present:
                        headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


_PROTECTIVE = (
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
)
