"""The pain.001 file of approved invoices, read back with lxml; what is paid, discount or not;
which deadlines are near."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from contracts.events.einvoices import PaymentAccount
from contracts.fee_schedules import TownAccount
from services.billing.credit_transfers import SCHEMA, Line, build_file
from services.billing.domain.invoice_approval import InvoiceFacts
from services.billing.domain.invoice_payment import (
    Amount,
    Deadline,
    amount_on,
    deadlines_near,
    discount_amount,
)

NS = {"p": f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"}
WURZEN_ACCOUNT = TownAccount(
    holder="Stadtkasse Wurzen", iban="DE51 8605 5592 0000 7294 10", bic="WELADE8LXXX"
)


def facts(number: str, payable: str, **changes: object) -> InvoiceFacts:
    base = InvoiceFacts(
        invoice_id=UUID(int=len(number) * 1000 + int(Decimal(payable))),
        town="14729410",
        invoice_number=number,
        seller_name="Lieferant GmbH & Söhne",
        type_code="380",
        payable=Decimal(payable),
        issue_date=date(2026, 10, 20),
    )
    return base.model_copy(update=changes)


def test_the_file_pays_each_invoice_from_the_town_s_account_with_the_right_sums() -> None:
    lines = [
        Line(
            facts("471102", "336.90"),
            PaymentAccount(iban="DE79 0000 0000 1234 5678 90"),
            Decimal("336.90"),
            False,
        ),
        Line(
            facts("R/2026-0815", "10555.30"),
            PaymentAccount(iban="de16000000002345678901", bic="cobadeffxxx"),
            Decimal("10344.19"),
            True,
        ),
        Line(
            facts("Ä" * 40, "12.60"),  # not SEPA's characters: the invoice id stands in
            PaymentAccount(iban="DE79000000001234567890"),
            Decimal("12.60"),
            False,
        ),
    ]
    content, message_id = build_file(WURZEN_ACCOUNT, lines, date(2026, 11, 3))
    root = etree.fromstring(content)
    assert root.tag == f"{{{NS['p']}}}Document"
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=NS) == message_id
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "3"
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "10693.69"
    [batch] = root.findall("p:CstmrCdtTrfInitn/p:PmtInf", namespaces=NS)
    assert batch.findtext("p:PmtMtd", namespaces=NS) == "TRF"
    assert batch.findtext("p:ReqdExctnDt/p:Dt", namespaces=NS) == "2026-11-03"
    assert batch.findtext("p:Dbtr/p:Nm", namespaces=NS) == "Stadtkasse Wurzen"
    assert batch.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == "DE51860555920000729410"
    transfers = [
        (
            tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS),
            tx.findtext("p:Amt/p:InstdAmt", namespaces=NS),
            tx.find("p:Amt/p:InstdAmt", namespaces=NS).get("Ccy"),
            tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
            tx.findtext("p:CdtrAgt/p:FinInstnId/p:BICFI", namespaces=NS),
            tx.findtext("p:Cdtr/p:Nm", namespaces=NS),
            tx.findtext("p:RmtInf/p:Ustrd", namespaces=NS),
        )
        for tx in batch.findall("p:CdtTrfTxInf", namespaces=NS)
    ]
    assert transfers == [
        (
            "471102",
            "336.90",
            "EUR",
            "DE79000000001234567890",
            None,
            "Lieferant GmbH & Sohne",
            "Rechnung 471102 vom 20.10.2026",
        ),
        (
            "R/2026-0815",
            "10344.19",
            "EUR",
            "DE16000000002345678901",
            "COBADEFFXXX",
            "Lieferant GmbH & Sohne",
            "Rechnung R/2026-0815 vom 20.10.2026 abzgl. Skonto",
        ),
        (
            lines[2].facts.invoice_id.hex,
            "12.60",
            "EUR",
            "DE79000000001234567890",
            None,
            "Lieferant GmbH & Sohne",
            "Rechnung " + "A" * 40 + " vom 20.10.2026",
        ),
    ]
    assert batch.findtext("p:NbOfTxs", namespaces=NS) == "3"
    assert batch.findtext("p:CtrlSum", namespaces=NS) == "10693.69"


def test_two_files_have_two_message_ids() -> None:
    line = Line(
        facts("1", "1.00"), PaymentAccount(iban="DE79000000001234567890"), Decimal(1), False
    )
    first = build_file(WURZEN_ACCOUNT, [line], date(2026, 11, 3))[1]
    assert first != build_file(WURZEN_ACCOUNT, [line], date(2026, 11, 3))[1]


# --- the discount decision --------------------------------------------------------------------

SKONTO = {"discount_percent": Decimal("2.00"), "discount_until": date(2026, 11, 3)}


def test_the_discount_is_taken_up_to_its_last_day_and_not_after() -> None:
    invoice = facts("471102", "10555.30", **SKONTO)
    assert discount_amount(invoice) == Decimal("211.11")
    assert amount_on(invoice, date(2026, 11, 2)) == Amount(Decimal("10344.19"), True)
    assert amount_on(invoice, date(2026, 11, 3)) == Amount(Decimal("10344.19"), True)
    assert amount_on(invoice, date(2026, 11, 4)) == Amount(Decimal("10555.30"), False)


def test_the_discount_base_amount_when_the_invoice_names_one() -> None:
    invoice = facts("471102", "119.00", discount_base=Decimal("100.00"), **SKONTO)
    assert amount_on(invoice, date(2026, 11, 1)) == Amount(Decimal("117.00"), True)


def test_without_a_discount_the_payable_amount() -> None:
    assert amount_on(facts("1", "336.90"), date(2026, 11, 1)) == Amount(Decimal("336.90"), False)


def test_deadlines_near_are_a_discount_not_lapsed_and_a_due_date_not_further_off() -> None:
    invoice = facts("471102", "10555.30", due_date=date(2026, 11, 20), **SKONTO)
    assert deadlines_near(invoice, date(2026, 10, 30), 3) == []
    assert deadlines_near(invoice, date(2026, 10, 31), 3) == [
        Deadline("discount", date(2026, 11, 3), Decimal("10344.19"))
    ]
    assert deadlines_near(invoice, date(2026, 11, 4), 3) == []  # the discount lapsed
    assert deadlines_near(invoice, date(2026, 11, 17), 3) == [
        Deadline("due", date(2026, 11, 20), Decimal("10555.30"))
    ]
    assert deadlines_near(invoice, date(2026, 11, 25), 3) == [
        Deadline("due", date(2026, 11, 20), Decimal("10555.30"))
    ]
