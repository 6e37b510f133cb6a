"""The base of every event: a frozen, versioned fact, and the registry that reads it back.

An event class declares its type name, version and aggregate type as class variables and is
registered when it is defined. Older versions live on only as *upcasters*: pure functions
from the stored JSON of version n to the JSON of version n+1, so that the log never has to
change and every reader sees the current shape.

Fields holding personal data are marked ``Personal``. The event store encrypts them with the
data subject's key; once that key is destroyed they read as ``None``. That is why a personal
field must accept ``None`` — registration refuses one that does not.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

JsonObject = dict[str, Any]
Upcaster = Callable[[JsonObject], JsonObject]


@dataclass(frozen=True)
class Personal:
    """Marks a field as personal data: encrypted at rest, erasable by destroying its key."""


PERSONAL = Personal()


class DomainEvent(BaseModel):
    """A fact that happened. Subclasses are frozen, named in the past tense and versioned."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type_name: ClassVar[str]
    version: ClassVar[int] = 1
    aggregate_type: ClassVar[str]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "type_name" in cls.__dict__:
            REGISTRY.register(cls)

    @classmethod
    def personal_fields(cls) -> frozenset[str]:
        """Names of the top-level fields that hold personal data."""
        return REGISTRY.personal_fields(cls)


class UnknownEventType(LookupError):
    """An event whose type or version this code does not know (newer producer, or a typo)."""


def _accepts_none(annotation: Any) -> bool:
    if annotation is None or annotation is type(None):
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _accepts_none(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_accepts_none(arg) for arg in typing.get_args(annotation))
    return annotation is Any


class EventRegistry:
    """Maps a stored (type, version) to the current event class, upcasting on the way."""

    def __init__(self) -> None:
        self._classes: dict[str, type[DomainEvent]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._personal: dict[type[DomainEvent], frozenset[str]] = {}

    def register(self, cls: type[DomainEvent]) -> None:
        """Register the current version of an event class (called on class creation)."""
        if cls.type_name in self._classes:
            raise ValueError(f"event type {cls.type_name} is defined twice")
        personal = frozenset(
            name
            for name, field in cls.model_fields.items()
            if any(isinstance(meta, Personal) for meta in field.metadata)
        )
        for name in personal:
            if not _accepts_none(cls.model_fields[name].annotation):
                raise TypeError(f"{cls.__name__}.{name} is personal and must accept None")
        self._classes[cls.type_name] = cls
        self._personal[cls] = personal

    def upcaster(self, type_name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator: register the step that lifts ``from_version`` to ``from_version + 1``."""

        def decorate(fn: Upcaster) -> Upcaster:
            self._upcasters[(type_name, from_version)] = fn
            return fn

        return decorate

    def added_fields(self, type_name: str, from_version: int) -> None:
        """Register a version step that only added fields with defaults.

        The stored JSON stays as it is (the defaults fill the new fields); the step exists so
        that an older release, which knows only ``from_version``, pauses at the newer version
        instead of failing on fields it does not know.
        """
        self._upcasters[(type_name, from_version)] = lambda data: data

    def event_class(self, type_name: str) -> type[DomainEvent]:
        """The current class of ``type_name``; raises ``UnknownEventType``."""
        try:
            return self._classes[type_name]
        except KeyError:
            raise UnknownEventType(f"unknown event type {type_name!r}") from None

    def upcast(self, type_name: str, version: int, data: JsonObject) -> JsonObject:
        """Lift stored JSON of ``version`` to the current version of its class."""
        cls = self.event_class(type_name)
        if version > cls.version:
            raise UnknownEventType(f"{type_name} v{version} is newer than v{cls.version}")
        while version < cls.version:
            step = self._upcasters.get((type_name, version))
            if step is None:
                raise UnknownEventType(f"no upcaster for {type_name} v{version}")
            data = step(data)
            version += 1
        return data

    def personal_fields(self, cls: type[DomainEvent]) -> frozenset[str]:
        """Names of the personal fields of a registered class."""
        return self._personal[cls]

    def all(self) -> list[type[DomainEvent]]:
        """Every registered event class, sorted by type name."""
        return [self._classes[name] for name in sorted(self._classes)]


REGISTRY = EventRegistry()
