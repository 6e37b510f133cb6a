"""camt.053/054 files become statements; wrong messages and impossible entries are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.billing.statements.camt import SUPPORTED, parse_camt
from services.billing.statements.model import Direction, MessageKind, Party, Remittance
from services.billing.statements.refusals import Problem, StatementRefused
from tests.unit.services.billing.statements.camt_files import (
    AUGUSTUSBURG_ACCOUNT,
    WURZEN_ACCOUNT,
    account_statement,
    document,
    entry,
    sample,
    statement,
)


def refusal(data: bytes) -> StatementRefused:
    with pytest.raises(StatementRefused) as caught:
        parse_camt(data)
    return caught.value


def test_a_sparkasse_statement_v02_is_read_with_its_header() -> None:
    (wurzen,) = parse_camt(sample("wurzen-camt053-v02.xml"))
    assert wurzen.kind is MessageKind.STATEMENT
    assert wurzen.message_type == "camt.053.001.02"
    assert wurzen.message_id == "camt053d20261120T061512N0000000000123"
    assert wurzen.statement_id == "0226-11-20-00215"
    assert wurzen.account_iban == WURZEN_ACCOUNT
    assert wurzen.account_currency == "EUR"
    assert wurzen.sequence_number == 215
    assert wurzen.from_date == date(2026, 11, 20)
    assert wurzen.booking_date == date(2026, 11, 20)
    assert wurzen.created_at is not None
    assert wurzen.created_at.astimezone(UTC) == datetime(2026, 11, 21, 5, 15, 12, tzinfo=UTC)
    assert [e.position for e in wurzen.entries] == [1, 2, 3, 4, 5, 6]


def test_a_credit_is_read_with_every_field_matching_needs() -> None:
    (wurzen,) = parse_camt(sample("wurzen-camt053-v02.xml"))
    credit = wurzen.entries[0]
    assert credit.amount == Decimal("26.00")
    assert credit.currency == "EUR"
    assert credit.direction is Direction.CREDIT
    assert not credit.reversal
    assert credit.booked
    assert credit.booking_date == credit.value_date == date(2026, 11, 20)
    assert credit.entry_reference is None
    assert credit.account_servicer_reference == "2026112008154711001"
    assert credit.bank_transaction_code == "PMNT/RCDT/ESCT"
    assert credit.additional_information == "GUTSCHR. UEBERWEISUNG"
    (tx,) = credit.transactions
    assert tx.amount == Decimal("26.00")
    assert tx.end_to_end_id is None, "NOTPROVIDED is no reference"
    assert tx.debtor == Party("MUSTERMANN, MAX", "DE75120300001020304050")
    assert tx.remittance == Remittance(("KASSENZEICHEN 14729410-2026-000123 GEWERBEANMELDUNG",))


def test_remittance_lines_are_kept_as_the_bank_wrapped_them() -> None:
    (wurzen,) = parse_camt(sample("wurzen-camt053-v02.xml"))
    (tx,) = wurzen.entries[1].transactions
    assert tx.remittance.unstructured == (
        "TEILZAHLUNG KZ 14729410 2026 000124 VERKEHRSRECHTL. ANORD",
        "NUNG BAHNHOFSTRASSE",
    )
    assert tx.end_to_end_id == "RE-2026-11-0815"


def test_a_batch_entry_has_its_payments_with_structured_references() -> None:
    (wurzen,) = parse_camt(sample("wurzen-camt053-v02.xml"))
    batch = wurzen.entries[2]
    assert batch.batch_size == 2
    assert [tx.amount for tx in batch.transactions] == [Decimal("120.00"), Decimal("36.50")]
    first, second = batch.transactions
    assert first.remittance.creditor_references == ("14729410-2026-000125",)
    assert first.account_servicer_reference == "2026112008154711003-1"
    assert second.debtor.name == "Erika Musterfrau"


def test_a_returned_direct_debit_carries_its_reason_and_mandate() -> None:
    (wurzen,) = parse_camt(sample("wurzen-camt053-v02.xml"))
    returned = wurzen.entries[3]
    assert returned.direction is Direction.DEBIT
    (tx,) = returned.transactions
    assert tx.return_reason == "AC04"
    assert tx.mandate_id == "WUR-HST-000042"
    assert tx.creditor == Party("HUNDEHALTER, HANS", "DE41500105175407324985")


def test_an_entry_without_details_is_read() -> None:
    (wurzen,) = parse_camt(sample("wurzen-camt053-v02.xml"))
    fee = wurzen.entries[4]
    assert fee.transactions == ()
    assert fee.bank_transaction_code == "ACMT/MDOP/CHRG"
    assert fee.amount == Decimal("12.90")


def test_a_proprietary_bank_transaction_code_is_read_when_no_domain_is_given() -> None:
    (wurzen,) = parse_camt(sample("wurzen-camt053-v02.xml"))
    assert wurzen.entries[5].bank_transaction_code == "NTRF+166+9310"
    assert wurzen.entries[5].transactions[0].amount is None


def test_version_08_is_read_where_it_differs_from_02() -> None:
    (augustusburg,) = parse_camt(sample("augustusburg-camt053-v08.xml"))
    assert augustusburg.message_type == "camt.053.001.08"
    assert augustusburg.account_iban == AUGUSTUSBURG_ACCOUNT
    credit, reversal = augustusburg.entries
    assert credit.status == "BOOK"
    assert credit.entry_reference == "1"
    (tx,) = credit.transactions
    assert tx.amount == Decimal("75.00")
    assert tx.debtor == Party("Café Schlossblick GbR", "DE72860502001010056789")
    assert reversal.reversal
    assert reversal.direction is Direction.DEBIT
    assert reversal.booking_date == date(2026, 11, 23)


def test_a_camt054_notification_is_read_with_its_pending_entry() -> None:
    (notification,) = parse_camt(sample("wurzen-camt054-v02.xml"))
    assert notification.kind is MessageKind.NOTIFICATION
    assert notification.statement_id == "0226-11-20-N0007"
    batch, pending = notification.entries
    assert batch.entry_reference == "SAMMLER-0007"
    assert len(batch.transactions) == 3
    assert not pending.booked
    assert pending.booking_date is None


def test_a_file_with_two_accounts_gives_two_statements() -> None:
    statements = parse_camt(
        document(
            account_statement(entry(), statement_id="A"),
            account_statement(entry(), statement_id="B", iban=AUGUSTUSBURG_ACCOUNT),
        )
    )
    assert [(s.statement_id, s.account_iban) for s in statements] == [
        ("A", WURZEN_ACCOUNT),
        ("B", AUGUSTUSBURG_ACCOUNT),
    ]


def test_the_amounts_of_a_large_entry_keep_every_cent() -> None:
    (read,) = parse_camt(statement(entry("1234567.89")))
    assert read.entries[0].amount == Decimal("1234567.89")


# --- what is refused ---------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "code", "words"),
    [
        (b'<Document xmlns="urn:example:other"/>', "not_camt", "keiner von ISO 20022"),
        (b"<Document><BkToCstmrStmt/></Document>", "not_camt", "keinen Namensraum"),
        (b"<Kontoauszug/>", "not_camt", "„Kontoauszug“ statt „Document“"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>',
            "unsupported_message",
            "vom Typ pain.001.001.03",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"/>',
            "unsupported_message",
            "camt.052.001.02",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04"/>',
            "unsupported_message",
            "camt.053.001.04",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><X/></Document>',
            "not_camt",
            "„BkToCstmrStmt“ fehlt",
        ),
    ],
)
def test_what_is_not_a_statement_is_refused_naming_what_it_is(
    document: bytes, code: str, words: str
) -> None:
    refused = refusal(document)
    assert refused.code == code
    assert words in refused.message


def test_the_refusal_of_another_version_names_the_ones_read() -> None:
    refused = refusal(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.13"/>')
    assert all(version in refused.message for version in SUPPORTED)


def test_the_namespace_of_a_camt054_under_a_camt053_body_is_refused() -> None:
    wrong = statement(entry(), namespace="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02")
    refused = refusal(wrong)
    assert refused.code == "not_camt"
    assert "BkToCstmrDbtCdtNtfctn" in refused.message


@pytest.mark.parametrize(
    ("amount", "code", "words"),
    [
        ("26.005", "amount_fraction", "Bruchteile"),
        ("0.001", "amount_fraction", "Bruchteile"),
        ("-26.00", "amount_negative", "negativ"),
        ("26,00", "amount_invalid", "keine Zahl"),
        ("sechsundzwanzig", "amount_invalid", "keine Zahl"),
        ("1e3", "amount_invalid", "keine Zahl"),
        ("NaN", "amount_invalid", "keine Zahl"),
        ("1234567890123456789", "amount_invalid", "keine Zahl"),
        ("", "amount_missing", "fehlt"),
    ],
)
def test_an_impossible_amount_is_refused_at_its_entry(amount: str, code: str, words: str) -> None:
    refused = refusal(statement(entry(), entry(amount, reference="2026112000000042")))
    assert refused.problems == (refused.problems[0],)
    (problem,) = refused.problems
    assert problem.code == code
    assert problem.entry == 2
    assert problem.statement == "0226-11-20-00215"
    assert words in problem.message
    assert problem.message.startswith(
        "Auszug 0226-11-20-00215, Buchung 2 (Bankreferenz 2026112000000042): "
    )


def test_every_bad_entry_is_named_not_only_the_first() -> None:
    refused = refusal(
        statement(
            entry("26.001", reference="R1"),
            entry("26.00", reference="R2"),
            entry("-5.00", reference="R3"),
            entry("5.00", reference="R4", direction="HABEN"),
            entry("5.00", reference="R5", booked_on="2026-13-45"),
            entry("5.00", reference="R6", currency="EURO"),
        )
    )
    assert [(p.entry, p.code) for p in refused.problems] == [
        (1, "amount_fraction"),
        (3, "amount_negative"),
        (4, "credit_debit_invalid"),
        (5, "date_invalid"),
        (6, "currency_invalid"),
    ]
    assert refused.code == "amount_fraction"


def test_a_transaction_amount_with_a_fraction_of_a_cent_is_refused() -> None:
    data = statement(entry()).replace(
        b"<Refs>", b'<AmtDtls><TxAmt><Amt Ccy="EUR">26.004</Amt></TxAmt></AmtDtls><Refs>'
    )
    (problem,) = refusal(data).problems
    assert problem == Problem(
        "amount_fraction",
        "Auszug 0226-11-20-00215, Buchung 1 (Bankreferenz REF-1): Der Betrag „26.004“ EUR"
        " enthält Bruchteile der kleinsten Einheit (bei EUR 2 Nachkommastellen).",
        entry=1,
        statement="0226-11-20-00215",
    )


@pytest.mark.parametrize(
    ("replace", "by", "code"),
    [
        (b"<IBAN>DE27860555921090123456</IBAN>", b"<IBAN>kein Konto</IBAN>", "account_invalid"),
        (b"<Id>0226-11-20-00215</Id>", b"", "incomplete"),
        (b"<CdtDbtInd>CRDT</CdtDbtInd>", b"", "incomplete"),
        (b"<Sts>BOOK</Sts>", b"", "incomplete"),
        (b'<Amt Ccy="EUR">26.00</Amt>', b"<Amt>26.00</Amt>", "currency_invalid"),
        (b"<MsgId>MSG-1</MsgId>", b"", "incomplete"),
    ],
)
def test_what_a_statement_needs_must_be_there(replace: bytes, by: bytes, code: str) -> None:
    data = statement(entry())
    assert replace in data
    assert refusal(data.replace(replace, by)).code == code


def test_a_document_without_any_statement_is_refused() -> None:
    refused = refusal(document())
    assert refused.code == "incomplete"
    assert "keinen Auszug" in refused.message
