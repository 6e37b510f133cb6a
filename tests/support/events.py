"""Events that exist only for the runtime's tests: a tiny counter aggregate."""

from __future__ import annotations

from typing import Annotated, ClassVar

from contracts.base import PERSONAL, DomainEvent


class CounterOpened(DomainEvent):
    """A counter was opened; its owner is personal data."""

    type_name: ClassVar[str] = "test.CounterOpened"
    aggregate_type: ClassVar[str] = "counter"

    owner: Annotated[str | None, PERSONAL]


class CounterIncremented(DomainEvent):
    """The counter went up by ``by``; ``value`` is the count after it."""

    type_name: ClassVar[str] = "test.CounterIncremented"
    aggregate_type: ClassVar[str] = "counter"

    by: int
    value: int


class CounterBroke(DomainEvent):
    """A fact the test projection refuses to apply (to produce a dead letter)."""

    type_name: ClassVar[str] = "test.CounterBroke"
    aggregate_type: ClassVar[str] = "counter"

    note: str
