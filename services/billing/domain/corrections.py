"""Cancelling and amending a fee notice, decided on the claim's fold (pure).

The town's treasury cancels a notice (the fee falls to nothing: ``FeeNoticeCancelled``) or sets
the fee anew (``FeeAmended``: a new notice, with a new payment term, replaces the one issued).
Each records its ``correction`` — the change of the fee, negative for a reduction — which moves
the claim and is Soll of the town's accounts; a paid claim cancelled or reduced shows a credit
(a refund is due). Reminder fees and surcharges already incurred are not touched (§ 240 (1)
sentence 4 AO). Corrections are numbered per claim, so the fold and the read model take each
once. Every refusal names its rule and says why in German.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from contracts.calendar import german_date
from contracts.events.billing import FeeAmended, FeeNoticeCancelled
from services.billing.domain.claim import Claim

CENT = Decimal("0.01")


class CorrectionRefused(Exception):
    """A rule refuses the correction; ``rule`` names it, ``message`` says why in German."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass(frozen=True)
class Clerk:
    """Who corrects: the subject at the issuer and the name."""

    subject: str
    name: str


def claim_must_exist(claim: Claim) -> None:
    """Rule: only a fee assessed can be corrected."""
    if not claim.exists:
        raise CorrectionRefused("claim_must_exist", "Zu diesem Kassenzeichen gibt es keine Gebühr.")


def notice_must_not_be_cancelled(claim: Claim) -> None:
    """Rule: a cancelled notice stays cancelled (a new fee needs a new assessment)."""
    if claim.cancelled:
        raise CorrectionRefused(
            "notice_must_not_be_cancelled", "Dieser Gebührenbescheid ist bereits aufgehoben."
        )


def amount_must_be_whole_cents_above_zero(amount: Decimal) -> None:
    """Rule: a fee is an amount above zero in whole cents (cancel to charge nothing)."""
    if amount <= 0 or amount != amount.quantize(CENT):
        raise CorrectionRefused(
            "amount_must_be_whole_cents_above_zero",
            "Der Betrag muss über null liegen und auf volle Cent lauten; soll nichts mehr"
            " erhoben werden, heben Sie den Bescheid auf.",
        )


def amount_must_change(claim: Claim, amount: Decimal) -> None:
    """Rule: an amendment changes the fee."""
    if amount == claim.fee:
        raise CorrectionRefused(
            "amount_must_change", "Der Betrag entspricht der bisher festgesetzten Gebühr."
        )


def reason_must_be_given(reason: str) -> None:
    """Rule: a correction says why (it is the notice's Begründung, § 39 VwVfG)."""
    if not reason.strip():
        raise CorrectionRefused("reason_must_be_given", "Bitte geben Sie einen Grund an.")


def cancel(claim: Claim, reason: str, *, by: Clerk, now: datetime) -> FeeNoticeCancelled:
    """Cancel the claim's notice: its fee falls to nothing."""
    claim_must_exist(claim)
    notice_must_not_be_cancelled(claim)
    reason_must_be_given(reason)
    assert claim.case_id is not None
    assert claim.cash_reference is not None
    return FeeNoticeCancelled(
        case_id=claim.case_id,
        cash_reference=claim.cash_reference,
        number=claim.corrections + 1,
        correction=-claim.fee,
        reason=reason.strip(),
        produkt=claim.produkt,
        sachkonto=claim.sachkonto,
        cancelled_by=by.subject,
        cancelled_by_name=by.name,
        cancelled_at=now,
    )


def amend(
    claim: Claim, amount: Decimal, reason: str, *, by: Clerk, now: datetime, term_days: int
) -> FeeAmended:
    """Set the fee to ``amount``; the new notice is due ``term_days`` after today (in Germany)."""
    claim_must_exist(claim)
    notice_must_not_be_cancelled(claim)
    amount_must_be_whole_cents_above_zero(amount)
    amount_must_change(claim, amount)
    reason_must_be_given(reason)
    assert claim.case_id is not None
    assert claim.cash_reference is not None
    return FeeAmended(
        case_id=claim.case_id,
        cash_reference=claim.cash_reference,
        number=claim.corrections + 1,
        previous_amount=claim.fee,
        amount=amount,
        correction=amount - claim.fee,
        due_date=german_date(now) + timedelta(days=term_days),
        replaces_notice_of=claim.noticed_on,
        reason=reason.strip(),
        produkt=claim.produkt,
        sachkonto=claim.sachkonto,
        amended_by=by.subject,
        amended_by_name=by.name,
        amended_at=now,
    )
