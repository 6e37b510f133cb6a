"""What a procedure is, defined once: its forms by version, its German texts, its attachments.

A procedure is a plug-in: ``contracts/procedures/<id>.py`` holds its ``DEFINITION`` and every
service that cares registers a module of its own for it. Everything a citizen meets derives
from the definition — the server's validation (the pydantic model), the JSON Schema offered to
programs, the form the widget renders (titles, help texts, order, groups, conditional fields,
from the same schema's ``x-`` annotations) and the German messages — so nothing is kept twice.

Conditional fields are declared once, as ``Condition``s on the model that holds them: the
widget shows the field only when the condition holds (``x-show-if``), the JSON Schema says
``if … then required`` and the model refuses a missing answer with a message at that field.

How the widget reads a form's JSON Schema — standard keywords first, and exactly these ``x-``
annotations besides (``ANNOTATIONS``; a test refuses any other):

- a property's ``title`` is its label (if it has none, the title of the schema its ``$ref``
  names: pydantic leaves out a repeated one), its ``description`` its help text; every field
  has a German title. A nested object is a group (a fieldset; its property's ``title`` is
  the legend). The order of ``properties`` is the order on screen. Docstrings are for
  programmers and stay out of the schema.
- ``type``, ``format`` (``date``, ``time``, ``email``, ``uuid``), ``enum``, ``const: true`` (a
  box to tick), ``minimum``/``maximum``, ``maxLength``, ``pattern``, ``examples`` (a
  placeholder) and ``default`` mean what JSON Schema says.
- ``x-show-if`` ``{"field": name, "equals": v}`` (or ``"one_of": [...]``, ``"not_in": [...]``):
  show the property only while the sibling field ``name`` has such a value (see ``Condition``).
- ``x-widget``: how to enter what the schema alone cannot tell — one of ``WIDGETS``:
  ``textarea`` (text of several lines), ``point`` (an object ``{lat, lon}``: a position, picked
  on a map or typed), ``section`` (an object ``{start, end}`` of two points: a stretch of road),
  ``file`` (the id of a file uploaded for this application: an upload control). It stands on
  the property or on the schema the property's ``$ref`` names.
- ``x-labels`` on an enumeration's schema: the German label of each value (see ``Choice``);
  the options are offered in the order of ``enum``.

Nothing else: an order is the order of ``properties``, a group is a nested object, a date is
``format: date`` — so no ``x-order``, ``x-group`` or ``x-widget: date``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Self
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    GetJsonSchemaHandler,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import CoreSchema, InitErrorDetails, PydanticCustomError

from contracts.values import STORED, Contact, is_stored

MISSING = "Diese Angabe fehlt."

ANNOTATIONS = frozenset({"x-show-if", "x-widget", "x-labels"})
"""The ``x-`` annotations a form's JSON Schema may carry (the module docstring says each)."""
WIDGETS = frozenset({"textarea", "point", "section", "file"})
"""The values of ``x-widget``."""
TEXTAREA: dict[str, Any] = {"x-widget": "textarea"}
"""``json_schema_extra`` of a text field of several lines."""
FILE: dict[str, Any] = {"x-widget": "file"}
"""``json_schema_extra`` of a field holding uploaded files' ids (``UUID`` or ``list[UUID]``)."""


class Choice(StrEnum):
    """An answer from a closed list; its JSON Schema carries German labels (``x-labels``).

    Subclasses override ``labels``; the values are stored and stay stable, the labels are
    what the citizen reads.
    """

    @classmethod
    def labels(cls) -> Mapping[Any, str]:
        """The German label of each member."""
        return {}

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        target.pop("description", None)  # the docstring, for programmers
        target["x-labels"] = {str(member): label for member, label in cls.labels().items()}
        return schema


@dataclass(frozen=True)
class Condition:
    """Field ``field`` is asked (and required, unless ``required=False``) when ``when`` equals
    ``equals`` — or, with ``one_of``, is one of those values; or, with ``not_in``, is none."""

    field: str
    when: str
    equals: Any = None
    one_of: tuple[Any, ...] = ()
    not_in: tuple[Any, ...] = ()
    required: bool = True

    def holds(self, value: Any) -> bool:
        """Whether the condition holds for the value of ``when``."""
        if self.not_in:
            return value is not None and value not in self.not_in
        if self.one_of:
            return value in self.one_of
        return bool(value == self.equals)

    def as_schema(self) -> dict[str, Any]:
        """The condition in the widget's words (``x-show-if``)."""
        if self.not_in:
            return {"field": self.when, "not_in": list(self.not_in)}
        if self.one_of:
            return {"field": self.when, "one_of": list(self.one_of)}
        return {"field": self.when, "equals": self.equals}


def field_error(loc: tuple[str | int, ...], message: str, value: Any = None) -> ValidationError:
    """A validation error at one field with a German message (for cross-field rules).

    pydantic attributes a model validator's error to the whole model; a citizen needs it next
    to the field, so rules that look at several fields raise this instead.
    """
    detail = InitErrorDetails(
        type=PydanticCustomError("value_error", "{error}", {"error": message}),
        loc=loc,
        input=value,
    )
    return ValidationError.from_exception_data("form", [detail])


class FormModel(BaseModel):
    """A form (or a group of it): frozen, nothing unknown, conditions enforced and published.

    Subclasses declare ``conditions``; groups are nested ``FormModel``s (a fieldset each, its
    ``title`` the legend). Field order is declaration order.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    conditions: ClassVar[tuple[Condition, ...]] = ()
    schema_extra: ClassVar[dict[str, Any]] = {}
    """Annotations of the group itself in its JSON Schema (e.g. ``{"x-widget": "point"}``)."""

    @classmethod
    def read(cls, data: Any) -> Self:
        """A stored form, checked for its structure only (see ``contracts.values.STORED``)."""
        return cls.model_validate(data, context=STORED)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.model_config["json_schema_extra"] = _form_schema(cls.conditions, cls.schema_extra)
        cls.model_rebuild(force=True)

    @model_validator(mode="after")
    def _conditions_hold(self, info: ValidationInfo) -> FormModel:
        if is_stored(info):
            return self
        errors = [
            InitErrorDetails(type="missing", loc=(condition.field,), input=None)
            for condition in type(self).conditions
            if condition.required
            and condition.holds(getattr(self, condition.when))
            and _is_empty(getattr(self, condition.field))
        ]
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def attachment_ids(form: BaseModel) -> list[UUID]:
    """The ids of the uploaded files a form refers to (its ``FILE`` fields, groups included).

    Intake checks that each names a file uploaded for the same application.
    """
    found: list[UUID] = []
    for name, info in type(form).model_fields.items():
        value = getattr(form, name)
        extra = info.json_schema_extra
        if isinstance(extra, dict) and extra.get("x-widget") == FILE["x-widget"]:
            found.extend(value if isinstance(value, list) else [value] if value else [])
        elif isinstance(value, BaseModel):
            found.extend(attachment_ids(value))
    return found


def _form_schema(
    conditions: tuple[Condition, ...], extra: dict[str, Any]
) -> Callable[[dict[str, Any]], None]:
    def extend(schema: dict[str, Any]) -> None:
        schema.pop("description", None)  # the docstring, for programmers
        schema.update(extra)
        properties = schema.get("properties", {})
        rules = []
        for condition in conditions:
            if condition.field in properties:
                properties[condition.field]["x-show-if"] = condition.as_schema()
            if condition.required:
                rules.append(_if_then(condition))
        if rules:
            schema["allOf"] = rules

    return extend


def _if_then(condition: Condition) -> dict[str, Any]:
    if condition.not_in:
        test: dict[str, Any] = {"not": {"enum": list(condition.not_in)}}
    elif condition.one_of:
        test = {"enum": list(condition.one_of)}
    else:
        test = {"const": condition.equals}
    return {
        "if": {"properties": {condition.when: test}, "required": [condition.when]},
        "then": {"required": [condition.field]},
    }


@dataclass(frozen=True)
class AttachmentRule:
    """Which files an application may carry: how many, how large, which kinds."""

    max_count: int = 5
    max_bytes: int = 5 * 1024 * 1024
    content_types: frozenset[str] = frozenset({"application/pdf", "image/jpeg", "image/png"})
    hint: str = "PDF, JPEG oder PNG, höchstens 5 MB je Datei."


@dataclass(frozen=True)
class GeoPoint:
    """A WGS 84 position (latitude, longitude), as the widget's map or a GPS gives it."""

    lat: float
    lon: float


@dataclass(frozen=True)
class Place:
    """Where an application is about: a point, or a section of a road from one point to another."""

    points: tuple[GeoPoint, ...]
    description: str = ""

    @property
    def coordinates(self) -> tuple[tuple[float, float], ...]:
        """The points as ``(lat, lon)`` pairs, as ``contracts.geo`` and the town areas use them."""
        return tuple((point.lat, point.lon) for point in self.points)


@dataclass(frozen=True)
class ProcedureDefinition:
    """One procedure: everything the suite needs to offer it, defined once."""

    id: str
    title: str
    short_description: str
    have_at_hand: tuple[str, ...]
    legal_basis: str
    forms: Mapping[int, type[FormModel]]
    contact: Callable[[Any], Contact | None]
    """Whom notify writes to about the application (None: the applicant stays anonymous)."""
    attachments: AttachmentRule = field(default_factory=AttachmentRule)
    place: Callable[[Any], Place | None] = lambda form: None
    """Where the application is about, if it is about a place (checked against towns' areas)."""
    place_field: str = ""
    """The form field the place is entered in (``location.section``), to point out errors."""
    place_may_be_elsewhere: bool = False
    """The place may lie in another member town than the one applied to (it is routed there)."""

    @property
    def current_version(self) -> int:
        """The form version new applications use."""
        return max(self.forms)

    def form(self, version: int) -> type[FormModel]:
        """The form of a version; ``KeyError`` for a version that never existed."""
        return self.forms[version]
