"""The approval rules of an incoming invoice: given these steps, when this command, then these
events — or the rule it breaks. Each rule both ways."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from contracts.base import DomainEvent
from contracts.events.einvoices import (
    ApprovalStep,
    IncomingInvoiceRejected,
    InvoiceCountersigned,
    InvoiceFactuallyApproved,
    InvoicePaymentOrdered,
    InvoiceReleasedForPayment,
)
from services.billing.domain import invoice_approval as rules
from services.billing.domain.invoice_approval import (
    ApprovalState,
    ApproveFactually,
    Countersign,
    InvoiceFacts,
    OrderPayment,
    Reject,
    Release,
    Violation,
    decide,
    fold,
)

INVOICE = UUID("00000000-0000-4000-8000-000000000011")
FILE = UUID("00000000-0000-4000-8000-0000000000f1")
WURZEN, AUGUSTUSBURG = "14729410", "14522020"
AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
THRESHOLD = Decimal("5000.00")


def facts(payable: str = "336.90", **changes: object) -> InvoiceFacts:
    base = InvoiceFacts(
        invoice_id=INVOICE,
        town=WURZEN,
        invoice_number="R-471102",
        seller_name="Lieferant GmbH",
        type_code="380",
        payable=Decimal(payable),
    )
    return base.model_copy(update=changes)


def step(by: str, *, town: str = WURZEN, for_town: str | None = None) -> ApprovalStep:
    return ApprovalStep(by=by, by_name=by.title(), by_town=town, on_behalf_of=for_town, at=AT)


def given(state: ApprovalState, *commands: rules.Command) -> ApprovalState:
    """The state after commands that must each succeed."""
    for command in commands:
        events = decide(state, command)
        assert not isinstance(events, Violation), events
        state = fold(state, events)
    return state


def release() -> Release:
    return Release(FILE, Decimal("336.90"), False, date(2026, 11, 3), "clerk:kasse", AT)


def checked(payable: str = "336.90", **changes: object) -> ApprovalState:
    return given(ApprovalState(facts=facts(payable, **changes)), ApproveFactually(step("anna")))


def ordered(payable: str = "336.90") -> ApprovalState:
    return given(checked(payable), OrderPayment(step("bernd"), THRESHOLD))


def only(decided: list[DomainEvent] | Violation) -> DomainEvent:
    assert isinstance(decided, list), decided
    [event] = decided
    return event


# --- sachlich richtig -------------------------------------------------------------------------


def test_a_received_invoice_is_confirmed_factually_correct_by_a_clerk() -> None:
    event = only(decide(ApprovalState(facts=facts()), ApproveFactually(step("anna"))))
    assert event == InvoiceFactuallyApproved(invoice_id=INVOICE, town=WURZEN, step=step("anna"))


def test_a_delegate_town_s_clerk_confirms_in_the_owner_s_name() -> None:
    by_delegate = step("clara", town=AUGUSTUSBURG, for_town=WURZEN)
    event = only(decide(ApprovalState(facts=facts()), ApproveFactually(by_delegate)))
    assert isinstance(event, InvoiceFactuallyApproved)
    assert (event.town, event.step.by_town, event.step.on_behalf_of) == (
        WURZEN,
        AUGUSTUSBURG,
        WURZEN,
    )


def test_factual_correctness_is_confirmed_once() -> None:
    assert decide(checked(), ApproveFactually(step("bernd"))) == rules.ALREADY_CHECKED


# --- Anordnung --------------------------------------------------------------------------------


def test_another_person_orders_the_payment_below_the_threshold_without_second_approval() -> None:
    event = only(decide(checked(), OrderPayment(step("bernd"), THRESHOLD)))
    assert event == InvoicePaymentOrdered(
        invoice_id=INVOICE,
        town=WURZEN,
        step=step("bernd"),
        amount=Decimal("336.90"),
        threshold=THRESHOLD,
        second_approval_required=False,
    )
    assert fold(checked(), [event]).status == "approved"


def test_the_checker_may_not_order_the_payment() -> None:
    violation = decide(checked(), OrderPayment(step("anna"), THRESHOLD))
    assert violation == rules.SAME_PERSON
    assert isinstance(violation, Violation)
    assert violation.message == (
        "Die sachliche Richtigkeit und die Anordnung dürfen nicht von derselben Person stammen."
    )


def test_the_same_person_is_the_same_subject_whatever_town_they_act_for() -> None:
    state = given(
        ApprovalState(facts=facts()),
        ApproveFactually(step("anna", town=AUGUSTUSBURG, for_town=WURZEN)),
    )
    assert decide(state, OrderPayment(step("anna"), THRESHOLD)) == rules.SAME_PERSON


def test_no_payment_order_before_factual_correctness() -> None:
    state = ApprovalState(facts=facts())
    assert decide(state, OrderPayment(step("bernd"), THRESHOLD)) == rules.NOT_CHECKED


def test_the_payment_is_ordered_once() -> None:
    assert decide(ordered(), OrderPayment(step("clara"), THRESHOLD)) == rules.ALREADY_ORDERED


def test_a_duplicate_cannot_be_ordered_for_payment() -> None:
    state = checked(duplicate_of=UUID(int=7))
    assert decide(state, OrderPayment(step("bernd"), THRESHOLD)) == rules.DUPLICATE


def test_a_credit_note_or_nothing_to_pay_cannot_be_ordered() -> None:
    for payable in ("-225.14", "0"):
        state = checked(payable)
        assert decide(state, OrderPayment(step("bernd"), THRESHOLD)) == rules.NOTHING_TO_PAY


def test_an_invoice_without_an_account_cannot_be_ordered() -> None:
    state = checked(has_account=False)
    assert decide(state, OrderPayment(step("bernd"), THRESHOLD)) == rules.NO_ACCOUNT


# --- four eyes above the threshold ------------------------------------------------------------


def test_above_the_threshold_the_order_asks_for_a_second_approval() -> None:
    state = ordered("10555.30")
    assert (state.second_required, state.status) == (True, "ordered")
    assert decide(state, release()) == rules.SECOND_NEEDED
    assert rules.SECOND_NEEDED.message == "Über dem Schwellenwert ist eine zweite Freigabe nötig."


def test_exactly_the_threshold_needs_no_second_approval() -> None:
    state = ordered("5000.00")
    assert (state.second_required, state.status) == (False, "approved")
    assert decide(state, Countersign(step("clara"))) == rules.NO_SECOND_NEEDED


def test_a_third_person_countersigns_and_the_invoice_is_approved() -> None:
    event = only(decide(ordered("10555.30"), Countersign(step("clara"))))
    assert event == InvoiceCountersigned(invoice_id=INVOICE, town=WURZEN, step=step("clara"))
    assert fold(ordered("10555.30"), [event]).status == "approved"


@pytest.mark.parametrize("who", ["anna", "bernd"])
def test_neither_checker_nor_orderer_may_countersign(who: str) -> None:
    assert decide(ordered("10555.30"), Countersign(step(who))) == rules.SECOND_SAME_PERSON


def test_no_countersignature_before_the_order_and_only_one() -> None:
    assert decide(checked("10555.30"), Countersign(step("clara"))) == rules.NOT_ORDERED
    signed = given(ordered("10555.30"), Countersign(step("clara")))
    assert decide(signed, Countersign(step("dora"))) == rules.ALREADY_COUNTERSIGNED


# --- rejection --------------------------------------------------------------------------------


def test_a_rejection_goes_to_the_supplier_with_its_reasons() -> None:
    command = Reject(step("anna"), ("Leistung nicht erbracht.", "  "), "seller@email.de")
    event = only(decide(ApprovalState(facts=facts()), command))
    assert event == IncomingInvoiceRejected(
        invoice_id=INVOICE,
        town=WURZEN,
        step=step("anna"),
        reasons=["Leistung nicht erbracht."],
        invoice_number="R-471102",
        seller_name="Lieferant GmbH",
        supplier_email="seller@email.de",
        notice="mail",
    )
    after = fold(ApprovalState(facts=facts()), [event])
    assert (after.status, after.rejection_notice) == ("rejected", "mail")


def test_a_rejection_without_an_address_records_that_none_was_mailed() -> None:
    event = only(decide(checked(), Reject(step("anna"), ("Falscher Preis.",), None)))
    assert isinstance(event, IncomingInvoiceRejected)
    assert (event.notice, event.supplier_email) == ("no_address", None)
    assert fold(checked(), [event]).rejection_notice == "no_address"


def test_a_rejection_needs_a_reason() -> None:
    command = Reject(step("anna"), (" ",), "seller@email.de")
    assert decide(ApprovalState(facts=facts()), command) == rules.NO_REASONS


def test_an_ordered_invoice_may_still_be_rejected_before_it_is_paid() -> None:
    event = only(decide(ordered(), Reject(step("clara"), ("Storniert.",), None)))
    assert isinstance(event, IncomingInvoiceRejected)


def test_a_rejected_invoice_cannot_be_approved_ordered_or_paid() -> None:
    rejected = given(checked(), Reject(step("bernd"), ("Falscher Preis.",), None))
    for command in (
        ApproveFactually(step("clara")),
        OrderPayment(step("clara"), THRESHOLD),
        Countersign(step("dora")),
        Reject(step("dora"), ("Noch einmal.",), None),
        release(),
    ):
        assert decide(rejected, command) == rules.REJECTED


# --- release into a payment file --------------------------------------------------------------


def test_an_approved_invoice_is_released_into_a_file() -> None:
    event = only(decide(ordered(), release()))
    assert event == InvoiceReleasedForPayment(
        invoice_id=INVOICE,
        town=WURZEN,
        file_id=FILE,
        amount=Decimal("336.90"),
        discounted=False,
        execution_date=date(2026, 11, 3),
        released_by="clerk:kasse",
        released_at=AT,
    )
    assert fold(ordered(), [event]).status == "released"


def test_an_invoice_not_ordered_is_not_released() -> None:
    assert decide(checked(), release()) == rules.NOT_ORDERED


def test_a_paid_invoice_is_paid_once_and_changes_no_more() -> None:
    paid = given(ordered(), release())
    for command in (
        release(),
        replace(release(), file_id=UUID(int=2)),
        ApproveFactually(step("clara")),
        Reject(step("clara"), ("Zu spät.",), None),
    ):
        assert decide(paid, command) == rules.RELEASED


def test_the_status_runs_from_received_to_released() -> None:
    state = ApprovalState(facts=facts("10555.30"))
    seen = [state.status]
    for command in (
        ApproveFactually(step("anna")),
        OrderPayment(step("bernd"), THRESHOLD),
        Countersign(step("clara")),
        release(),
    ):
        state = given(state, command)
        seen.append(state.status)
    assert seen == ["received", "checked", "ordered", "approved", "released"]
    assert all(status in rules.STATUS_TEXT for status in [*seen, "rejected"])


def test_every_rule_has_a_name_and_a_german_sentence() -> None:
    violations = [v for v in vars(rules).values() if isinstance(v, Violation)]
    assert len({v.rule for v in violations}) == len(violations) >= 14
    assert all(v.message.endswith(".") and v.message[0].isupper() for v in violations)
