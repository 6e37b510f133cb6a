"""The rules under which a resident parking permit is issued automatically (§45 (1b) StVO).

A permit needs the main residence in the zone, a vehicle the applicant holds (or may use, by a
document a clerk looks at) and no other permit for the same vehicle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contracts.events.casework import RuleOutcome
from contracts.procedures import procedure
from contracts.procedures.bewohnerparkausweis import VehicleUse
from services.casework.domain.rules.base import Facts, RuleSet, street_key


@dataclass(frozen=True)
class ParkingApplication:
    """What the parking rules look at, from any version of the form."""

    zone: str
    street: str
    postcode: str
    main_residence: bool
    use: str


Rule = Callable[[ParkingApplication, Facts], RuleOutcome]


def parking_application_of(version: int, data: dict[str, Any]) -> ParkingApplication:
    """Read a stored form of any version into what the rules need."""
    form: Any = procedure("bewohnerparkausweis").form(version).read(data)
    return ParkingApplication(
        zone=form.parking_zone,
        street=form.applicant.address.street,
        postcode=form.applicant.address.postcode,
        main_residence=bool(form.main_residence),
        use=form.vehicle.use.value,
    )


def _zone(facts: Facts, name: str) -> tuple[str, frozenset[str]] | None:
    wanted = name.strip().casefold()
    for zone, streets in facts.parking_zones.items():
        if zone.casefold() == wanted:
            return zone, streets
    return None


def main_residence_must_be_in_zone(app: ParkingApplication, facts: Facts) -> RuleOutcome:
    """Only residents of the zone get its permit: the address's street lies in the zone."""
    zone = _zone(facts, app.zone)
    if zone is None:
        return RuleOutcome(
            rule="main_residence_must_be_in_zone",
            passed=False,
            reason=f"{facts.town_name} hat kein Bewohnerparkgebiet dieses Namens.",
        )
    name, streets = zone
    inside = (
        app.main_residence
        and app.postcode in facts.town_postcodes
        and street_key(app.street) in streets
    )
    return RuleOutcome(
        rule="main_residence_must_be_in_zone",
        passed=inside,
        reason=f"Die Hauptwohnung liegt im Bewohnerparkgebiet „{name}“."
        if inside
        else f"Die angegebene Wohnanschrift liegt nicht im Bewohnerparkgebiet „{name}“.",
    )


def applicant_must_hold_vehicle(app: ParkingApplication, facts: Facts) -> RuleOutcome:
    """The holder gets the permit; anyone else proves the permission with a document."""
    holder = app.use == VehicleUse.HALTER
    return RuleOutcome(
        rule="applicant_must_hold_vehicle",
        passed=holder,
        reason="Die antragstellende Person ist Halter/in des Fahrzeugs."
        if holder
        else "Das Fahrzeug wird mit Erlaubnis genutzt; der Nachweis ist zu prüfen.",
    )


def one_permit_per_vehicle(app: ParkingApplication, facts: Facts) -> RuleOutcome:
    """A vehicle gets one permit: another application for it within a year is looked at."""
    return RuleOutcome(
        rule="one_permit_per_vehicle",
        passed=not facts.plate_applied_for,
        reason="Für das Fahrzeug liegt kein weiterer Antrag vor."
        if not facts.plate_applied_for
        else "Für dieses Kennzeichen wurde innerhalb eines Jahres bereits ein"
        " Bewohnerparkausweis beantragt.",
    )


RULES: tuple[Rule, ...] = (
    main_residence_must_be_in_zone,
    applicant_must_hold_vehicle,
    one_permit_per_vehicle,
)


def evaluate(version: int, data: dict[str, Any], facts: Facts) -> list[RuleOutcome]:
    """Every rule's outcome, in a fixed order."""
    app = parking_application_of(version, data)
    return [rule(app, facts) for rule in RULES]


RULE_SET = RuleSet(automatable=True, evaluate=evaluate)
