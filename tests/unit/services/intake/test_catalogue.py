"""A town's catalogue: given what the log says, when the member file is applied, then only
the differences are recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from contracts.base import DomainEvent
from contracts.events.intake import (
    ApplicationSubmitted,
    ProcedureOffered,
    ProcedureWithdrawn,
    TownProfilePublished,
)
from contracts.values import Contact, PostalAddress
from services.intake.domain.catalogue import Catalogue, decide_configuration, evolve

WURZEN = "14729410"

PROFILE = TownProfilePublished(
    ags=WURZEN,
    name="Wurzen",
    official_name="Große Kreisstadt Wurzen",
    kind="Stadt",
    district="Landkreis Leipzig",
    postcodes=["04808"],
    website="https://www.wurzen.de",
    email="buergerservice@wurzen.rathauscloud.example",
    phone="+49 3425 0000-0",
    leitweg_id="147290410410-0001-45",
    address=PostalAddress(street="Friedrich-Ebert-Straße 2", postcode="04808", city="Wurzen"),
)
GEWERBE = ProcedureOffered(
    ags=WURZEN, procedure="gewerbeanmeldung", competent_office="Gewerbeamt", form_version=1
)
HUNDE = ProcedureOffered(
    ags=WURZEN, procedure="hundeanmeldung", competent_office="Steueramt", form_version=1
)


def given(*events: DomainEvent) -> Catalogue:
    """The catalogue the log's events add up to."""
    state = Catalogue()
    for event in events:
        state = evolve(state, event)
    return state


def test_the_first_configuration_publishes_the_profile_and_offers_the_procedures() -> None:
    events = decide_configuration(given(), PROFILE, {"gewerbeanmeldung": GEWERBE})

    assert events == [PROFILE, GEWERBE]


def test_the_same_configuration_again_changes_nothing() -> None:
    state = given(PROFILE, GEWERBE)

    assert decide_configuration(state, PROFILE, {"gewerbeanmeldung": GEWERBE}) == []


def test_a_changed_procedure_configuration_offers_only_that_procedure_again() -> None:
    moved = GEWERBE.model_copy(update={"competent_office": "Ordnungsamt"})
    state = given(PROFILE, GEWERBE, HUNDE)

    events = decide_configuration(
        state, PROFILE, {"gewerbeanmeldung": moved, "hundeanmeldung": HUNDE}
    )

    assert events == [
        ProcedureOffered(
            ags=WURZEN,
            procedure="gewerbeanmeldung",
            competent_office="Ordnungsamt",
            form_version=1,
        )
    ]


def test_a_new_form_version_offers_the_procedure_again() -> None:
    newer = GEWERBE.model_copy(update={"form_version": 2})

    events = decide_configuration(given(PROFILE, GEWERBE), PROFILE, {"gewerbeanmeldung": newer})

    assert events == [newer]


def test_a_changed_profile_publishes_only_the_profile() -> None:
    new_phone = PROFILE.model_copy(update={"phone": "+49 3425 8560"})

    events = decide_configuration(given(PROFILE, GEWERBE), new_phone, {"gewerbeanmeldung": GEWERBE})

    assert events == [new_phone]


def test_a_procedure_no_longer_configured_is_withdrawn() -> None:
    events = decide_configuration(
        given(PROFILE, GEWERBE, HUNDE), PROFILE, {"hundeanmeldung": HUNDE}
    )

    assert events == [ProcedureWithdrawn(ags=WURZEN, procedure="gewerbeanmeldung")]


def test_offers_and_withdrawals_come_in_the_order_of_the_procedure_names() -> None:
    events = decide_configuration(
        given(), PROFILE, {"hundeanmeldung": HUNDE, "gewerbeanmeldung": GEWERBE}
    )
    withdrawals = decide_configuration(given(PROFILE, HUNDE, GEWERBE), PROFILE, {})

    assert events == [PROFILE, GEWERBE, HUNDE]
    assert withdrawals == [
        ProcedureWithdrawn(ags=WURZEN, procedure="gewerbeanmeldung"),
        ProcedureWithdrawn(ags=WURZEN, procedure="hundeanmeldung"),
    ]


def test_a_withdrawn_procedure_configured_again_is_offered_again() -> None:
    state = given(PROFILE, GEWERBE, ProcedureWithdrawn(ags=WURZEN, procedure="gewerbeanmeldung"))

    assert decide_configuration(state, PROFILE, {"gewerbeanmeldung": GEWERBE}) == [GEWERBE]


def test_evolve_keeps_the_latest_profile_and_the_offered_procedures() -> None:
    new_phone = PROFILE.model_copy(update={"phone": "+49 3425 8560"})
    moved = GEWERBE.model_copy(update={"competent_office": "Ordnungsamt"})

    state = given(PROFILE, GEWERBE, HUNDE, new_phone, moved)

    assert state == Catalogue(
        profile=new_phone, procedures={"gewerbeanmeldung": moved, "hundeanmeldung": HUNDE}
    )


def test_evolve_forgets_a_withdrawn_procedure_without_changing_the_earlier_state() -> None:
    before = given(PROFILE, GEWERBE, HUNDE)

    after = evolve(before, ProcedureWithdrawn(ags=WURZEN, procedure="gewerbeanmeldung"))

    assert after.procedures == {"hundeanmeldung": HUNDE}
    assert after.profile == PROFILE
    assert before.procedures == {"gewerbeanmeldung": GEWERBE, "hundeanmeldung": HUNDE}


def test_evolve_ignores_events_that_are_not_about_the_catalogue() -> None:
    before = given(PROFILE, GEWERBE)
    submitted = ApplicationSubmitted(
        application_id=UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10"),
        procedure="gewerbeanmeldung",
        form_version=1,
        submitted_at=datetime(2026, 11, 20, 9, 15, tzinfo=UTC),
        contact=Contact(name="Hedwig Quirinus-Zwetschgenbaum", email="hedwig.quirinus@example.org"),
        form={},
    )

    assert evolve(before, submitted) == before


def test_an_operator_offers_withdraws_and_onboards_and_repeats_change_nothing() -> None:
    from services.intake.domain.catalogue import (
        NotAMember,
        NotOffered,
        decide_offer,
        decide_profile,
        decide_withdrawal,
        state_of,
    )

    profile = PROFILE
    parking = ProcedureOffered(
        ags=profile.ags,
        procedure="bewohnerparkausweis",
        competent_office="Ordnungsamt",
        form_version=1,
    )
    with pytest.raises(NotAMember):
        decide_offer(state_of([]), parking)
    assert decide_profile(state_of([]), profile) == [profile]
    assert decide_profile(state_of([profile]), profile) == []
    assert decide_offer(state_of([profile]), parking) == [parking]
    assert decide_offer(state_of([profile, parking]), parking) == []
    withdrawn = decide_withdrawal(state_of([profile, parking]), profile.ags, "bewohnerparkausweis")
    assert [e.type_name for e in withdrawn] == ["intake.ProcedureWithdrawn"]
    with pytest.raises(NotOffered):
        decide_withdrawal(
            state_of([profile, parking, *withdrawn]), profile.ags, "bewohnerparkausweis"
        )
