"""The event registry: one class per type name, personal fields that can be erased."""

from __future__ import annotations

from typing import Annotated, ClassVar

import pytest

from contracts import PERSONAL, REGISTRY, DomainEvent, UnknownEventType
from contracts.base import EventRegistry
from contracts.events.casework import CaseDecided
from contracts.events.intake import ApplicationSubmitted
from contracts.events.notify import MessageDelivered


def test_a_second_class_with_a_registered_type_name_is_refused() -> None:
    with pytest.raises(ValueError, match=r"intake\.ApplicationSubmitted is defined twice"):

        class _Impostor(DomainEvent):
            type_name: ClassVar[str] = "intake.ApplicationSubmitted"
            aggregate_type: ClassVar[str] = "application"

    assert REGISTRY.event_class("intake.ApplicationSubmitted") is ApplicationSubmitted


def test_registering_the_same_class_twice_is_refused() -> None:
    registry = EventRegistry()
    registry.register(CaseDecided)

    with pytest.raises(ValueError, match="defined twice"):
        registry.register(CaseDecided)


def test_a_personal_field_that_cannot_be_none_is_refused_at_class_definition() -> None:
    with pytest.raises(TypeError, match=r"_Unerasable\.owner is personal and must accept None"):

        class _Unerasable(DomainEvent):
            type_name: ClassVar[str] = "unit.Unerasable"
            aggregate_type: ClassVar[str] = "probe"

            owner: Annotated[str, PERSONAL]

    with pytest.raises(UnknownEventType):
        REGISTRY.event_class("unit.Unerasable")


def test_personal_fields_of_an_application_are_its_contact_form_and_files() -> None:
    assert ApplicationSubmitted.personal_fields() == {
        "contact",
        "form",
        "attachments",
        "tracking_url",
    }


def test_personal_fields_are_known_per_class() -> None:
    assert MessageDelivered.personal_fields() == {"recipient"}
    assert CaseDecided.personal_fields() == frozenset()


def test_all_lists_every_registered_type_sorted_by_name() -> None:
    names = [cls.type_name for cls in REGISTRY.all()]

    assert names == sorted(names)
    assert {"intake.ApplicationSubmitted", "casework.CaseDecided"} <= set(names)
