"""What a procedure is, defined once: its forms by version, its German texts, its attachments.

A procedure is a plug-in: ``contracts/procedures/<id>.py`` holds its ``DEFINITION`` and every
service that cares registers a module of its own for it. Everything a citizen meets derives
from the definition — the server's validation (the pydantic model), the JSON Schema offered to
programs, the form the widget renders (titles, help texts, order, groups, conditional fields,
from the same schema's ``x-`` annotations) and the German messages — so nothing is kept twice.

Conditional fields are declared once, as ``Condition``s on the model that holds them: the
widget shows the field only when the condition holds (``x-show-if``), the JSON Schema says
``if … then required`` and the model refuses a missing answer with a message at that field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from contracts.values import STORED, Contact, is_stored

MISSING = "Diese Angabe fehlt."


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

    @classmethod
    def read(cls, data: Any) -> Self:
        """A stored form, checked for its structure only (see ``contracts.values.STORED``)."""
        return cls.model_validate(data, context=STORED)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.conditions:
            cls.model_config["json_schema_extra"] = _conditions_schema(cls.conditions)
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


def _conditions_schema(conditions: tuple[Condition, ...]) -> Callable[[dict[str, Any]], None]:
    def extend(schema: dict[str, Any]) -> None:
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
    place_may_be_elsewhere: bool = False
    """The place may lie in another member town than the one applied to (it is routed there)."""

    @property
    def current_version(self) -> int:
        """The form version new applications use."""
        return max(self.forms)

    def form(self, version: int) -> type[FormModel]:
        """The form of a version; ``KeyError`` for a version that never existed."""
        return self.forms[version]
