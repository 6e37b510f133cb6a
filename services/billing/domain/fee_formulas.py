"""The three ways a schedule item prices a decision, each explained (pure).

- a flat fee: one amount per case;
- a range (Rahmengebühr, GebOSt Nr. 264 for traffic orders): the clerk fixes the amount in
  the decision, and billing checks it lies within the range of the schedule valid that day —
  casework checks against its own idea of the range, billing against the statute it bills by;
- area × started periods × the rate of the category of use (Sondernutzung), at least the
  item's minimum; a week or a month that has begun counts whole (a month as 30 days).

What cannot be priced is not guessed: ``Unassessable`` names the rule and says why in German.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from contracts.events.casework import FeeBasis
from contracts.fee_schedules import AreaTimeFee, FeeItem, FlatFee, RangeFee
from contracts.procedures.sondernutzungserlaubnis import UseCategory
from services.billing.domain.money import Explained, euro, explained, line, number

ONE = Decimal(1)
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}
PERIOD_WORDS = {
    "day": ("Tag", "Tage", "Tag"),
    "week": ("angefangene Woche", "angefangene Wochen", "Woche"),
    "month": ("angefangener Monat", "angefangene Monate", "Monat"),
}
CATEGORY_LABELS = {str(category): label for category, label in UseCategory.labels().items()}


@dataclass(frozen=True)
class Unassessable:
    """A decision the item cannot price: the rule it breaks and the reason, in German."""

    rule: str
    reason: str


Priced = Explained | Unassessable


def flat_fee(item: FlatFee) -> Explained:
    """The item's amount, once."""
    return explained([line(f"Gebühr ({item.tariff})", ONE, "Vorgang", item.amount)])


def amount_must_lie_within_the_range(item: RangeFee, amount: Decimal) -> bool:
    """The rule for a fixed fee: within the range, both ends included, to the cent."""
    to_the_cent = int(amount.as_tuple().exponent) >= -2
    return to_the_cent and item.minimum <= amount <= item.maximum


def fixed_within_range(item: RangeFee, amount: Decimal | None) -> Priced:
    """The amount the clerk fixed, if the decision names one within the item's range."""
    span = f"{euro(item.minimum)} bis {euro(item.maximum)}"
    if amount is None:
        return Unassessable(
            "decision_must_fix_the_amount",
            f"Der Bescheid setzt keine Gebühr fest; die Satzung sieht {span} vor.",
        )
    if not amount_must_lie_within_the_range(item, amount):
        return Unassessable(
            "amount_must_lie_within_the_range",
            f"Die festgesetzte Gebühr von {euro(amount)} liegt nicht im Gebührenrahmen"
            f" von {span} ({item.tariff}).",
        )
    return explained([line(f"Gebühr im Rahmen von {span} ({item.tariff})", ONE, "Vorgang", amount)])


def started_periods(days: int, per: str) -> int:
    """How many days, weeks or months of 30 days have begun in ``days`` days."""
    return -(-days // PERIOD_DAYS[per])


def by_area_and_time(
    item: AreaTimeFee, area_m2: Decimal | None, days: int | None, category: str | None
) -> Priced:
    """Area × started periods × rate of the category, topped up to the minimum."""
    if area_m2 is None or days is None or area_m2 <= 0 or days <= 0:
        return Unassessable(
            "decision_must_name_area_and_duration",
            "Der Bescheid nennt keine Fläche und Dauer; nach ihnen richtet sich die Gebühr.",
        )
    chosen = category or item.default_category
    if chosen is None or chosen not in item.rates:
        return Unassessable(
            "category_must_be_in_the_schedule",
            f"Für die Art der Nutzung „{chosen or 'keine Angabe'}“ nennt die Satzung keinen Satz.",
        )
    rated = item.rates[chosen]
    periods = started_periods(days, rated.per)
    one, many, unit = PERIOD_WORDS[rated.per]
    what = f"{CATEGORY_LABELS.get(chosen, chosen)}, {number(area_m2)} m² × {periods} "
    lines = [
        line(what + (one if periods == 1 else many), area_m2 * periods, f"m² × {unit}", rated.rate)
    ]
    exact = lines[0].subtotal
    if item.minimum is not None and exact < item.minimum:
        top_up = f"Aufstockung auf die Mindestgebühr von {euro(item.minimum)}"
        lines.append(line(top_up, ONE, "Vorgang", item.minimum - exact))
    return explained(lines)


def price(item: FeeItem, basis: FeeBasis | None) -> Priced:
    """What an approving decision costs under ``item``, from the decision's fee basis."""
    basis = basis or FeeBasis()
    match item:
        case FlatFee():
            return flat_fee(item)
        case RangeFee():
            return fixed_within_range(item, basis.amount)
        case AreaTimeFee():
            return by_area_and_time(item, basis.area_m2, basis.days, basis.rate_class)


def rejection_fee(item: FeeItem) -> Explained | None:
    """What a rejection costs where the schedule names a fee for it, else ``None``."""
    if not item.rejection_fee:
        return None
    what = f"Gebühr für die Ablehnung ({item.tariff})"
    return explained([line(what, ONE, "Vorgang", item.rejection_fee)])


def withdrawal_fee(item: FeeItem) -> Explained | None:
    """What a withdrawn application costs where the schedule names a fee for it, else ``None``."""
    if not item.withdrawal_fee:
        return None
    what = f"Gebühr für die Rücknahme des Antrags ({item.tariff})"
    return explained([line(what, ONE, "Vorgang", item.withdrawal_fee)])
