"""Unpaid claims over time: surcharges, one reminder, one handover — given events, then events.

A 126 € fee due on Friday 15 January 2027 in a town with a 5 € reminder fee, 7 grace days,
7 days to pay after the reminder and enforcement 14 days after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from contracts.base import DomainEvent
from contracts.events.billing import (
    FeeAssessed,
    FeeNoticeIssued,
    HandedOverForEnforcement,
    LateSurchargeCharged,
    PaymentBooked,
    ReminderIssued,
)
from contracts.events.casework import DocumentRef
from contracts.fee_schedules import Reminders, TownAccount
from services.billing.domain import reminders
from services.billing.domain.claim import Claim, fold
from services.billing.domain.reminders import (
    TownRules,
    decide,
    step_of,
    surcharge_base,
    surcharge_for,
    surcharge_months_started,
)

CASE = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
REFERENCE = "14729410-2026-000123"
DUE = date(2027, 1, 15)
ASSESSED = FeeAssessed(
    case_id=CASE,
    procedure="sondernutzungserlaubnis",
    amount=Decimal("126.00"),
    cash_reference=REFERENCE,
    due_date=DUE,
    assessed_at=datetime(2026, 12, 16, 9, 0, tzinfo=UTC),
)
NOTICE = FeeNoticeIssued(
    case_id=CASE,
    procedure="sondernutzungserlaubnis",
    document=DocumentRef(
        object_name=f"{CASE}/gebuehrenbescheid-{CASE}.pdf",
        filename="gebuehrenbescheid.pdf",
        content_type="application/pdf",
        size=1000,
        sha256="0" * 64,
    ),
    cash_reference=REFERENCE,
    amount=Decimal("126.00"),
    due_date=DUE,
    payee="Stadtkasse Wurzen",
    iban="DE51860555920000729410",
    bic="WELADE8LXXX",
    issued_at=datetime(2026, 12, 16, 9, 1, tzinfo=UTC),
)
ACCOUNT = TownAccount(
    holder="Stadtkasse Wurzen", iban="DE51860555920000729410", bic="WELADE8LXXX", bank="Sparkasse"
)
RULES = TownRules(
    Reminders(fee=Decimal("5.00"), grace_days=7, produkt="61.1.0.01", sachkonto="45610000"),
    ACCOUNT,
    date(2025, 1, 1),
)
NO_SURCHARGES = TownRules(RULES.reminders.model_copy(update={"late_surcharges": False}), ACCOUNT)


def at(day: date) -> datetime:
    """Noon in Germany on ``day``."""
    return datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)


def paid(amount: str, booking_id: str = "b1") -> PaymentBooked:
    return PaymentBooked.model_validate(
        {
            "case_id": CASE,
            "cash_reference": REFERENCE,
            "booking_id": booking_id,
            "kind": "payment",
            "amount": amount,
            "channel": "bank_statement",
            "matched_by": "kassenzeichen",
            "booked_at": at(DUE),
        }
    )


def on(
    day: date, history: Sequence[DomainEvent], rules: TownRules | None = RULES
) -> list[DomainEvent]:
    return decide(fold(history), day, at(day), rules)


def run(until: date, history: list[DomainEvent], rules: TownRules = RULES) -> list[DomainEvent]:
    """The timers every day up to ``until``, each day's events appended to the log."""
    log = list(history)
    day = DUE
    while day <= until:
        log.extend(on(day, log, rules))
        day += timedelta(days=1)
    return log


def kinds(events: Sequence[DomainEvent]) -> list[str]:
    return [step_of(event) for event in events]


# the rules of the surcharge (§ 240 AO)


@pytest.mark.parametrize(
    ("open_fee", "base", "surcharge"),
    [
        ("49.99", "0.00", "0.00"),
        ("50.00", "50.00", "0.50"),
        ("126.00", "100.00", "1.00"),
        ("149.99", "100.00", "1.00"),
        ("1234.56", "1200.00", "12.00"),
    ],
)
def test_a_surcharge_is_one_percent_of_the_open_fee_rounded_down_to_fifty_euros(
    open_fee: str, base: str, surcharge: str
) -> None:
    assert surcharge_base(Decimal(open_fee)) == Decimal(base)
    assert surcharge_for(Decimal(open_fee)) == Decimal(surcharge)


@pytest.mark.parametrize(
    ("due", "today", "months"),
    [
        (date(2027, 1, 15), date(2027, 1, 15), 0),  # the due date itself
        (date(2027, 1, 15), date(2027, 1, 18), 0),  # three days spared (§ 240 (3) AO)
        (date(2027, 1, 15), date(2027, 1, 19), 1),  # the fourth day: the first month counts
        (date(2027, 1, 15), date(2027, 2, 15), 1),  # the first month's last day
        (date(2027, 1, 15), date(2027, 2, 16), 2),  # a second month has begun
        (date(2027, 1, 15), date(2027, 5, 16), 5),
        (date(2027, 1, 31), date(2027, 2, 28), 1),  # from 31 January a month ends on 28 Feb
        (date(2027, 1, 31), date(2027, 3, 1), 2),
    ],
)
def test_every_started_month_of_delay_counts(due: date, today: date, months: int) -> None:
    assert surcharge_months_started(due, today) == months


# the timers' decisions


def test_nothing_before_the_due_date_has_passed_or_for_a_fee_never_made_known() -> None:
    assert on(DUE, [ASSESSED, NOTICE]) == []
    assert on(DUE + timedelta(days=60), [ASSESSED]) == []  # no notice: nobody was told
    assert on(DUE + timedelta(days=60), [ASSESSED, NOTICE], None) == []  # no rules: none
    assert on(DUE + timedelta(days=60), []) == []


def test_the_first_surcharge_after_the_three_spared_days_once() -> None:
    assert on(DUE + timedelta(days=3), [ASSESSED, NOTICE]) == []
    [charged] = on(DUE + timedelta(days=4), [ASSESSED, NOTICE])
    assert charged == LateSurchargeCharged(
        case_id=CASE,
        cash_reference=REFERENCE,
        month=1,
        base=Decimal("100.00"),
        amount=Decimal("1.00"),
        due_date=DUE,
        produkt="61.1.0.01",
        sachkonto="45610000",
        charged_at=at(DUE + timedelta(days=4)),
    )
    assert on(DUE + timedelta(days=5), [ASSESSED, NOTICE, charged]) == []
    assert fold([ASSESSED, NOTICE, charged]).raised == Decimal("127.00")


def test_the_reminder_waits_for_the_grace_period_and_comes_once() -> None:
    history: list[DomainEvent] = [ASSESSED, NOTICE]
    assert kinds(on(DUE + timedelta(days=7), history, NO_SURCHARGES)) == []
    day = DUE + timedelta(days=8)  # Saturday 23 January 2027
    [issued] = on(day, history, NO_SURCHARGES)
    assert issued == ReminderIssued(
        case_id=CASE,
        procedure="sondernutzungserlaubnis",
        cash_reference=REFERENCE,
        open_amount=Decimal("126.00"),
        reminder_fee=Decimal("5.00"),
        amount_due=Decimal("131.00"),
        original_due_date=DUE,
        due_date=date(2027, 2, 1),  # 30 January is a Saturday: the next working day
        payee="Stadtkasse Wurzen",
        iban="DE51860555920000729410",
        bic="WELADE8LXXX",
        produkt="61.1.0.01",
        sachkonto="45610000",
        schedule_valid_from=None,
        issued_at=at(day),
    )
    history.append(issued)
    assert on(day, history, NO_SURCHARGES) == []
    assert on(day + timedelta(days=5), history, NO_SURCHARGES) == []
    claim = fold(history)
    assert (claim.raised, claim.open, claim.reminded_on) == (
        Decimal("131.00"),
        Decimal("131.00"),
        day,
    )


def test_the_reminder_names_the_surcharges_charged_with_it() -> None:
    day = DUE + timedelta(days=8)
    charged, issued = on(day, [ASSESSED, NOTICE])
    assert isinstance(charged, LateSurchargeCharged)
    assert isinstance(issued, ReminderIssued)
    assert (issued.open_amount, issued.amount_due) == (Decimal("127.00"), Decimal("132.00"))
    assert issued.schedule_valid_from == date(2025, 1, 1)


def test_enforcement_fourteen_days_after_the_reminder_once() -> None:
    log = run(DUE + timedelta(days=8 + 13), [ASSESSED, NOTICE])
    assert kinds(log[2:]) == ["surcharge-1", "reminder"]
    log = run(DUE + timedelta(days=8 + 14), log)
    assert kinds(log[2:]) == ["surcharge-1", "reminder", "enforcement"]
    handed = log[-1]
    assert handed == HandedOverForEnforcement(
        case_id=CASE,
        cash_reference=REFERENCE,
        open_amount=Decimal("132.00"),
        reminded_on=DUE + timedelta(days=8),
        reminder_due_date=date(2027, 2, 1),
        handed_over_at=at(DUE + timedelta(days=22)),
    )
    # Nothing more afterwards, not even a surcharge: the claim is enforcement's business.
    assert run(DUE + timedelta(days=120), log) == log


def test_every_month_is_charged_once_while_the_claim_is_open() -> None:
    patient = TownRules(
        RULES.reminders.model_copy(update={"term_days": 30, "enforcement_after_days": 90}),
        ACCOUNT,
    )
    log = run(date(2027, 4, 15), [ASSESSED, NOTICE], patient)
    assert kinds(log[2:]) == ["surcharge-1", "reminder", "surcharge-2", "surcharge-3"]
    log = run(date(2027, 4, 23), log, patient)  # 16 April begins the fourth month
    assert kinds(log[6:]) == ["surcharge-4", "enforcement"]
    assert fold(log).raised == Decimal("126.00") + 4 * Decimal("1.00") + Decimal("5.00")
    # Months the timers missed (billing was down) come together, each once.
    caught_up = on(date(2027, 3, 16), [ASSESSED, NOTICE])
    assert kinds(caught_up) == ["surcharge-1", "surcharge-2", "surcharge-3", "reminder"]
    # A town that charges none charges none.
    log = run(date(2027, 4, 16), [ASSESSED, NOTICE], NO_SURCHARGES)
    assert kinds(log[2:]) == ["reminder", "enforcement"]


def test_a_settled_claim_gets_nothing() -> None:
    history = [ASSESSED, NOTICE, paid("126.00")]
    assert fold(history).settled
    assert run(DUE + timedelta(days=200), history) == history
    # Paid within the three spared days: no surcharge, and nothing after.
    assert run(DUE + timedelta(days=60), [ASSESSED, NOTICE, paid("126.00")]) == history


def test_a_payment_after_the_reminder_stops_enforcement() -> None:
    log = run(DUE + timedelta(days=10), [ASSESSED, NOTICE])
    assert kinds(log[2:]) == ["surcharge-1", "reminder"]
    log.append(paid("132.00"))  # fee, surcharge and the reminder's fee
    assert fold(log).settled
    assert run(DUE + timedelta(days=90), log) == log


def test_what_a_partial_payment_leaves_goes_to_enforcement() -> None:
    log = run(DUE + timedelta(days=10), [ASSESSED, NOTICE])
    log.append(paid("126.00"))  # the fee, but not the surcharge and the reminder's fee
    log = run(DUE + timedelta(days=22), log)
    assert kinds(log[2:4] + log[5:]) == ["surcharge-1", "reminder", "enforcement"]
    handed = log[-1]
    assert isinstance(handed, HandedOverForEnforcement)
    assert handed.open_amount == Decimal("6.00")


def test_payments_go_to_the_fee_first_so_surcharges_shrink() -> None:
    claim = fold([ASSESSED, NOTICE, paid("80.00")])
    assert claim.open_fee == Decimal("46.00")
    assert on(DUE + timedelta(days=4), [ASSESSED, NOTICE, paid("80.00")]) == []  # under 50 €


def test_a_repeated_step_in_the_log_counts_once() -> None:
    log = run(DUE + timedelta(days=8), [ASSESSED, NOTICE])
    doubled = fold([*log, *log[2:]])
    assert doubled.raised == fold(log).raised == Decimal("132.00")


def test_the_rules_refuse_enforcement_before_the_reminder_s_term() -> None:
    with pytest.raises(ValueError, match="enforcement_after_days"):
        Reminders(
            fee=Decimal("5.00"),
            grace_days=7,
            produkt="61.1.0.01",
            sachkonto="45610000",
            term_days=14,
            enforcement_after_days=7,
        )


def test_every_step_has_its_name() -> None:
    with pytest.raises(TypeError):
        step_of(ASSESSED)
    assert reminders.claim_may_be_dunned(Claim()) is False
