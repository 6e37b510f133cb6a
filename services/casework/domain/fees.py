"""What a decision must carry for billing, per procedure (pure).

Billing assesses the fee from the decision's ``FeeBasis``: the amount the clerk fixed for a
traffic order (within the GebOSt range), the area and days of a special use, the rate class
and the number of dogs for the dog tax. The other procedures' fees are flat (the schedule).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from contracts.events.casework import FeeBasis
from contracts.procedures import ProcedureId
from contracts.procedures.sondernutzungserlaubnis import UseCategory
from services.casework.domain.refusals import Refused

GEBOST_TRAFFIC_ORDER = (Decimal("10.20"), Decimal("767.00"))
"""Fee range of a traffic order under §45 StVO (GebOSt, Anlage, Gebühren-Nr. 264)."""

REQUIRED: dict[str, tuple[str, ...]] = {
    ProcedureId.VERKEHRSRECHTLICHE_ANORDNUNG: ("amount",),
    ProcedureId.SONDERNUTZUNGSERLAUBNIS: ("area_m2", "days"),
    ProcedureId.HUNDESTEUER_ANMELDUNG: ("rate_class", "dogs_kept"),
}
"""The parts of the fee basis an approval of the procedure must name."""

LABELS = {
    "amount": "Die Gebühr",
    "area_m2": "Die Fläche in m²",
    "days": "Die Dauer in Tagen",
    "rate_class": "Die Steuerklasse",
    "dogs_kept": "Die Zahl der gehaltenen Hunde",
}
RATE_CLASS_LABELS = {
    "erster_hund": "Erster Hund",
    "weiterer_hund": "Weiterer Hund",
    "gefaehrlicher_hund": "Gefährlicher Hund (Liste der Satzung)",
    "befreit": "Steuerbefreit",
}
"""The dog tax's rate classes in German: as the clerk chooses them, as the letter names them."""
RATE_CLASSES = frozenset(RATE_CLASS_LABELS)
USE_CATEGORY_LABELS = {str(category): label for category, label in UseCategory.labels().items()}
"""A special use's categories in German (its rate class is the application's category)."""


def rate_class_row(rate_class: str) -> tuple[str, str]:
    """A rate class as the letter and the case page name it: a dog's class or the use's kind."""
    if rate_class in USE_CATEGORY_LABELS:
        return "Art der Nutzung", USE_CATEGORY_LABELS[rate_class]
    return "Steuerklasse", RATE_CLASS_LABELS.get(rate_class, rate_class)


def with_application_facts(
    procedure: str, fee: FeeBasis | None, form: Mapping[str, Any] | None
) -> FeeBasis | None:
    """The fee basis completed by what the application already says.

    A special use's rate depends on what occupies the road (the form's category of use):
    the clerk fixes area and days, the category comes from the application, so that billing
    prices a scaffold as a scaffold and not at the schedule's default rate.
    """
    if fee is None or form is None or fee.rate_class is not None:
        return fee
    if procedure == ProcedureId.SONDERNUTZUNGSERLAUBNIS:
        category = (form.get("use") or {}).get("category")
        if isinstance(category, str) and category:
            return fee.model_copy(update={"rate_class": category})
    return fee


def check_fee_basis(procedure: str, outcome: str, fee: FeeBasis | None) -> FeeBasis | None:
    """The fee basis an approval carries; ``Refused`` naming the missing or wrong part."""
    required = REQUIRED.get(procedure, ()) if outcome == "approved" else ()
    for part in required:
        if fee is None or getattr(fee, part) is None:
            raise Refused.invalid(
                "fee_basis_missing", f"{LABELS[part]} fehlt für den Bescheid.", f"fee.{part}"
            )
    if fee is None:
        return None
    if procedure == ProcedureId.VERKEHRSRECHTLICHE_ANORDNUNG and fee.amount is not None:
        low, high = GEBOST_TRAFFIC_ORDER
        if not low <= fee.amount <= high or fee.amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise Refused.invalid(
                "fee_out_of_range",
                f"Die Gebühr muss zwischen {_euro(low)} und {_euro(high)} liegen (GebOSt).",
                "fee.amount",
            )
    if fee.area_m2 is not None and fee.area_m2 <= 0:
        raise Refused.invalid("fee_area", "Die Fläche muss größer als 0 m² sein.", "fee.area_m2")
    if fee.days is not None and fee.days <= 0:
        raise Refused.invalid(
            "fee_days", "Die Dauer muss mindestens einen Tag betragen.", "fee.days"
        )
    if fee.dogs_kept is not None and fee.dogs_kept < 1:
        raise Refused.invalid(
            "fee_dogs", "Es muss mindestens ein Hund gehalten werden.", "fee.dogs_kept"
        )
    dog_tax = procedure == ProcedureId.HUNDESTEUER_ANMELDUNG
    if dog_tax and fee.rate_class is not None and fee.rate_class not in RATE_CLASSES:
        raise Refused.invalid(
            "fee_rate_class", "Diese Steuerklasse gibt es nicht.", "fee.rate_class"
        )
    return fee


def _euro(amount: Decimal) -> str:
    return f"{amount:.2f} €".replace(".", ",")
