"""What an application's form adds to its decision letter, per procedure (pure).

The addressee is read the same way from every form: the first group that has a postal
address and a name (the applicant, the trader, the keeper, the company). What the decision
grants is procedure-specific — a traffic order's place, period, restriction and RSA plan; a
special use's place, area and period — and registered in ``PARTICULARS``, one entry per
procedure (a test checks that none is forgotten). A stored form is read for its structure
only; one that does not fit (erased, or an unknown version) adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from contracts.procedures import PROCEDURES, ProcedureId
from contracts.procedures.verkehrsrechtliche_anordnung import Restriction, SignPlan
from contracts.values import PostalAddress
from services.casework.letters.decision import Addressee, LetterKind, day

Rows = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Particulars:
    """A procedure's part of the letter: its kind and what the decision grants."""

    kind: LetterKind = LetterKind.BESCHEID
    title: str = ""
    rows: Callable[[Any], Rows] = lambda form: ()


def read_form(procedure: str, version: int | None, data: dict[str, Any] | None) -> Any:
    """The stored form as its model, or ``None`` if it cannot be read."""
    definition = PROCEDURES.get(procedure)
    if definition is None or version is None or data is None:
        return None
    try:
        return definition.form(version).read(data)
    except (ValidationError, KeyError):
        return None


def addressee(form: Any, fallback_name: str | None) -> Addressee | None:
    """The first group of the form with a postal address and a name; else the contact's name."""
    for name in type(form).model_fields if isinstance(form, BaseModel) else ():
        group = getattr(form, name)
        address = getattr(group, "address", None)
        person = _name_of(group)
        if person and isinstance(address, PostalAddress):
            lines = (f"{address.street}", f"{address.postcode} {address.city}")
            contact = getattr(group, "contact_person", None)
            return Addressee(person, (f"z. Hd. {contact}", *lines) if contact else lines)
    return Addressee(fallback_name) if fallback_name else None


def _name_of(group: Any) -> str | None:
    if getattr(group, "given_names", None) and getattr(group, "family_name", None):
        return f"{group.given_names} {group.family_name}"
    name = getattr(group, "name", None)
    return name if isinstance(name, str) else None


def traffic_order(form: Any) -> Rows:
    """Where, when and how the traffic is restricted, with the RSA 21 plan."""
    hours, traffic = form.working_hours, form.traffic
    if hours.round_the_clock:
        daily = "rund um die Uhr"
    else:
        daily = f"täglich von {hours.daily_from:%H:%M} bis {hours.daily_until:%H:%M} Uhr"
    daily += ", auch an Wochenenden und Feiertagen" if hours.weekends else ", werktags"
    if traffic.sign_plan == SignPlan.REGELPLAN:
        plan = f"Regelplan {traffic.regelplan} der RSA 21"
    else:
        plan = "eigener Verkehrszeichenplan (Anlage zum Antrag)"
    rows: list[tuple[str, str]] = [
        ("Ort", f"{form.location.street}, {form.location.description}"),
        ("Zeitraum", f"{day(form.period.start)} bis {day(form.period.end)}"),
        ("Arbeitszeiten", daily),
        ("Beschränkung", Restriction.labels()[traffic.restriction]),
        ("Verkehrszeichenplan", plan),
    ]
    if traffic.detour:
        rows.append(("Umleitung", traffic.detour))
    if traffic.traffic_lights:
        rows.append(("Lichtsignalanlage", "Baustellenampel nach Verkehrszeichenplan"))
    if traffic.bus_stops_affected:
        rows.append(("Bushaltestellen", "betroffen: Abstimmung mit dem Verkehrsunternehmen"))
    return tuple(rows)


def special_use(form: Any) -> Rows:
    """Where, how large and how long the road may be used."""
    return (
        ("Ort", form.location.address),
        ("Art", form.use.other_category or form.use.category.labels()[form.use.category]),
        ("Fläche", f"{form.use.area_m2} m²".replace(".", ",")),
        ("Zeitraum", f"{day(form.period.start)} bis {day(form.period.end)}"),
    )


def parking_permit(form: Any) -> Rows:
    """The zone and the vehicle the permit is for."""
    return (("Bewohnerparkgebiet", form.parking_zone), ("Kennzeichen", form.vehicle.plate))


def trade(form: Any) -> Rows:
    """The business the trade notice is about."""
    business = form.business
    rows = [("Betrieb", business.trade_name)] if getattr(business, "trade_name", None) else []
    address = business.address
    rows.append(("Betriebsstätte", f"{address.street}, {address.postcode} {address.city}"))
    if getattr(business, "activity", None):
        rows.append(("Tätigkeit", str(business.activity)))
    return tuple(rows)


PARTICULARS: dict[str, Particulars] = {
    ProcedureId.GEWERBEANMELDUNG: Particulars(title="Angaben zum Gewerbe", rows=trade),
    ProcedureId.GEWERBEUMMELDUNG: Particulars(title="Angaben zum Gewerbe", rows=trade),
    ProcedureId.GEWERBEABMELDUNG: Particulars(title="Angaben zum Gewerbe", rows=trade),
    ProcedureId.VERKEHRSRECHTLICHE_ANORDNUNG: Particulars(
        title="Angeordnete Verkehrsregelung", rows=traffic_order
    ),
    ProcedureId.BEWOHNERPARKAUSWEIS: Particulars(title="Bewohnerparkausweis", rows=parking_permit),
    ProcedureId.HUNDESTEUER_ANMELDUNG: Particulars(),
    ProcedureId.HUNDESTEUER_ABMELDUNG: Particulars(),
    ProcedureId.SONDERNUTZUNGSERLAUBNIS: Particulars(
        title="Erlaubte Sondernutzung", rows=special_use
    ),
    ProcedureId.MAENGELMELDER: Particulars(kind=LetterKind.ABSCHLUSSMITTEILUNG),
}


def particulars_of(procedure: str) -> Particulars:
    """A procedure's part of the letter (nothing beyond the common parts if unregistered)."""
    return PARTICULARS.get(procedure, Particulars())


def rows_of(procedure: str, form: Any) -> Rows:
    """What the decision grants, from a readable form; nothing if the form does not fit."""
    if form is None:
        return ()
    try:
        return particulars_of(procedure).rows(form)
    except (AttributeError, KeyError):
        return ()
