"""One keeper's dog tax for a year as a claim: amount, lines, instalments (pure).

The register's dogs of a keeper are taxed by ``dog_tax`` (the statute in force each month, pro
rata, places by the order the dogs came); the total is split into the statute's instalments
(``instalments``) counted from the day of the assessment. A dog exempted by the clerk's
decision (``dog_register.DECIDED_EXEMPTION``) is exempt under every statute version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from contracts.events.billing import DogTaxAssessed, Instalment
from contracts.fee_schedules import DogTaxStatute
from services.billing.domain.dog_register import DECIDED_EXEMPTION, DECIDED_EXEMPTION_LABEL
from services.billing.domain.dog_tax import KeptDog, dog_tax_for_year
from services.billing.domain.instalments import instalment_plan
from services.billing.domain.schedule_versions import valid_on


@dataclass(frozen=True)
class RegisteredDog:
    """A dog of the register, as the annual run reads it."""

    dog_id: UUID
    dog: KeptDog


def levied_in(statutes: Sequence[DogTaxStatute], year: int) -> DogTaxStatute | None:
    """The statute whose terms (instalments, accounts) the year's notice follows: the one in
    force at the year's end, or — if the tax ends within the year — the last in force."""
    return valid_on(statutes, date(year, 12, 31))


def with_decided_exemption(statutes: Sequence[DogTaxStatute]) -> list[DogTaxStatute]:
    """The statutes, each also granting the exemption a clerk's decision grants."""
    return [
        s.model_copy(
            update={"exemptions": {**s.exemptions, DECIDED_EXEMPTION: DECIDED_EXEMPTION_LABEL}}
        )
        for s in statutes
    ]


def kept_in_year(dog: KeptDog, year: int) -> bool:
    """Whether the dog was kept on any day of ``year``."""
    return dog.kept_from <= date(year, 12, 31) and (
        dog.kept_until is None or dog.kept_until >= date(year, 1, 1)
    )


def assess_keeper(
    statutes: Sequence[DogTaxStatute],
    dogs: Sequence[RegisteredDog],
    *,
    year: int,
    claim_id: UUID,
    keeper_key: str,
    cash_reference: str,
    direct_debit: bool,
    mandate_reference: str | None,
    now: datetime,
    today: date,
) -> DogTaxAssessed | None:
    """The keeper's claim for ``year``; ``None`` when nothing is owed (exempt, no months)."""
    statute = levied_in(statutes, year)
    kept = [d for d in dogs if kept_in_year(d.dog, year)]
    if statute is None or not kept:
        return None
    taxed = dog_tax_for_year(with_decided_exemption(statutes), [d.dog for d in kept], year)
    if taxed.amount <= 0:
        return None
    plan = instalment_plan(taxed.amount, statute, year, today)
    return DogTaxAssessed(
        case_id=claim_id,
        procedure="hundesteuer",
        amount=taxed.amount,
        cash_reference=cash_reference,
        due_date=plan[0].due,
        assessed_at=now,
        lines=list(taxed.lines),
        legal_basis=statute.title,
        schedule_valid_from=statute.valid_from,
        produkt=statute.produkt,
        sachkonto=statute.sachkonto,
        year=year,
        keeper_key=keeper_key,
        dogs=[d.dog_id for d in kept],
        instalments=[Instalment(due=i.due, amount=i.amount) for i in plan],
        direct_debit=direct_debit,
        mandate_reference=mandate_reference if direct_debit else None,
    )
