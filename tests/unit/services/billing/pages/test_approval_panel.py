"""The invoice page's approval block and its forms' input, pure: which forms whom, why a
second approval, the steps worded, the threshold recorded at the Anordnung, the reasons."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from contracts.events.einvoices import ApprovalStep
from runtime.auth import Identity
from services.billing.domain.invoice_approval import ApprovalState, InvoiceFacts
from services.billing.pages.approval_input import FieldProblem, note, reasons
from services.billing.pages.approval_panel import Panel, forms_for, panel, second_approval_text

NAMES = {"14729410": "Wurzen", "14522020": "Augustusburg"}
FACTS = InvoiceFacts(
    invoice_id=uuid4(),
    town="14729410",
    invoice_number="R1",
    seller_name="Lieferant",
    type_code="380",
    payable=Decimal("21701.70"),
)


def person(*roles: str) -> Identity:
    return Identity(
        subject="a@14522020", name="Anton Augst", roles=frozenset(roles), towns=("14522020",)
    )


def step(name: str) -> ApprovalStep:
    return ApprovalStep(
        by=f"{name}@14522020",
        by_name=name,
        by_town="14522020",
        on_behalf_of="14729410",
        at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        note="Lieferschein geprüft" if name == "Anton" else None,
    )


def shown(state: ApprovalState | None, who: Identity, history: list[Any] | None = None) -> Panel:
    return panel(
        state,
        history or [],
        payable=FACTS.payable,
        currency="EUR",
        threshold=Decimal("5000.00"),
        town="14729410",
        identity=who,
        town_name=lambda ags: NAMES.get(ags, ags),
    )


def test_each_status_offers_its_next_step_and_the_rejection_to_approvers_only() -> None:
    clerk = person("clerk")
    assert forms_for("received", clerk) == ("check", "reject")
    assert forms_for("checked", person("supervisor")) == ("order", "reject")
    assert forms_for("ordered", clerk) == ("countersign", "reject")
    assert forms_for("approved", clerk) == ("reject",)
    assert forms_for("released", clerk) == ()
    assert forms_for("rejected", clerk) == ()
    assert forms_for("received", person("treasury")) == ()


def test_above_the_threshold_the_page_says_why_a_second_approval_is_needed() -> None:
    text = second_approval_text(Decimal("21701.70"), Decimal("5000.00"), "Wurzen")
    assert text.startswith(
        "Der Betrag von 21.701,70 € liegt über dem Schwellenwert von 5.000,00 € der Gemeinde"
        " Wurzen."
    )
    assert "zweite Freigabe durch eine dritte Person" in text
    below = second_approval_text(Decimal("5000.00"), Decimal("5000.00"), "Wurzen")
    assert "nicht über dem Schwellenwert" in below
    assert "nicht nötig" in below


def test_before_any_step_the_invoice_is_received_with_no_steps() -> None:
    block = shown(None, person("clerk", "treasury"))
    assert (block.status, block.steps, block.forms, block.treasury) == (
        "received",
        (),
        ("check", "reject"),
        True,
    )


def test_the_steps_name_who_for_which_town_and_the_note() -> None:
    state = ApprovalState(
        facts=FACTS, checked=step("Anton"), ordered=step("Berta"), second_required=True
    )
    block = shown(state, person("clerk"))
    assert block.status == "ordered"
    assert block.forms == ("countersign", "reject")
    first = block.steps[0]
    assert (first.label, first.who, first.note) == (
        "Sachlich richtig",
        "Anton (Augustusburg im Auftrag von Wurzen)",
        "Lieferschein geprüft",
    )
    assert first.when == "02.03.2026, 10:30 Uhr"
    assert [line.label for line in block.steps] == ["Sachlich richtig", "Angeordnet"]


def test_after_the_order_the_threshold_it_was_compared_with_counts() -> None:
    state = ApprovalState(
        facts=FACTS, checked=step("Anton"), ordered=step("Berta"), second_required=True
    )
    history = [{"type": "billing.InvoicePaymentOrdered", "data": {"threshold": "20000.00"}}]
    assert "Schwellenwert von 20.000,00 €" in shown(state, person("clerk"), history).second_approval
    assert "Schwellenwert von 5.000,00 €" in shown(state, person("clerk")).second_approval


def test_a_rejection_shows_its_reasons_and_no_form() -> None:
    state = ApprovalState(facts=FACTS, rejected=step("Anton"), rejection_reasons=("Falsch.",))
    block = shown(state, person("clerk"))
    assert (block.status, block.forms, block.rejection_reasons) == ("rejected", (), ("Falsch.",))


def test_reasons_one_a_line_at_least_one() -> None:
    assert reasons(" Preis falsch.\n\n Menge falsch. \n", "f") == ("Preis falsch.", "Menge falsch.")
    with pytest.raises(FieldProblem) as empty:
        reasons(" \n ", "ablehnung-gruende")
    assert (empty.value.field_id, empty.value.message) == (
        "ablehnung-gruende",
        "Bitte nennen Sie mindestens einen Grund für die Ablehnung.",
    )
    with pytest.raises(FieldProblem, match="höchstens 20 Gründe"):
        reasons("\n".join(f"Grund {n}." for n in range(21)), "f")
    with pytest.raises(FieldProblem, match="500 Zeichen"):
        reasons("x" * 501, "f")


def test_a_note_is_optional_and_at_most_500_characters() -> None:
    assert note("  ", "v") is None
    assert note(" geprüft ", "v") == "geprüft"
    with pytest.raises(FieldProblem) as long:
        note("x" * 501, "anordnung-vermerk")
    assert long.value.field_id == "anordnung-vermerk"
