"""Filing: given no file yet, when a closed case is complete, then one ``CaseFiled`` with its
file reference, retention and the seal over the exact stored commits."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from contracts.events.archive import CaseFiled, InvoiceFiled, InvoiceOutcome
from services.archive.domain.filing import (
    GENESIS,
    INVOICES,
    FileCase,
    FileInvoice,
    RecordPart,
    chain_hash,
    decide_filing,
    decide_invoice_filing,
    file_reference,
    ready_to_file,
    record_hash,
    retain_until,
)

CASE = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
CLOSED = datetime(2026, 11, 20, 9, 15, 42, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 9, 16, 3, tzinfo=UTC)
PREVIOUS = hashlib.sha256(b"die vorige Akte der Stadt Wurzen").hexdigest()

PARTS = [
    RecordPart("intake", 41, b'{"events":[{"type":"intake.ApplicationSubmitted"}]}'),
    RecordPart("casework", 17, b'{"events":[{"type":"casework.CaseOpened"}]}'),
    RecordPart("billing", 9, b'{"events":[{"type":"billing.FeeAssessed","amount":"26.00"}]}'),
    RecordPart("notify", 23, b'{"events":[{"type":"notify.MessageDelivered"}]}'),
]


def recomputed(parts: list[RecordPart]) -> str:
    """The record hash as the module documents it, for anyone who reads the log."""
    lines = "".join(
        f"{p.stream}:{p.stream_seq}:{hashlib.sha256(p.commit).hexdigest()}\n"
        for p in sorted(parts, key=lambda p: (p.stream, p.stream_seq))
    )
    return hashlib.sha256(lines.encode()).hexdigest()


def file_case(
    parts: list[RecordPart] = PARTS,
    closed: datetime = CLOSED,
    now: datetime = NOW,
    procedure: str = "gewerbeanmeldung",
) -> FileCase:
    return FileCase(
        case_id=CASE,
        procedure=procedure,
        parts=parts,
        previous_chain_hash=PREVIOUS,
        number=17,
        closed_at=closed,
        now=now,
    )


def test_the_record_hash_is_the_documented_sha256_over_stream_sequence_and_commit_hash() -> None:
    assert record_hash(PARTS) == recomputed(PARTS)


def test_the_record_hash_does_not_depend_on_the_order_the_parts_arrive_in() -> None:
    assert record_hash(PARTS) == record_hash(list(reversed(PARTS)))
    assert record_hash(PARTS) == record_hash([PARTS[2], PARTS[0], PARTS[3], PARTS[1]])


@pytest.mark.parametrize("index", range(len(PARTS)))
@pytest.mark.parametrize("position", [0, 10, -1])
def test_the_record_hash_changes_when_any_byte_of_any_commit_changes(
    index: int, position: int
) -> None:
    original = PARTS[index]
    altered = bytearray(original.commit)
    altered[position] ^= 0x01
    parts = [
        *PARTS[:index],
        RecordPart(original.stream, original.stream_seq, bytes(altered)),
        *PARTS[index + 1 :],
    ]

    assert record_hash(parts) != record_hash(PARTS)


def test_the_record_hash_changes_when_a_part_is_missing_added_or_moved() -> None:
    extra = RecordPart("casework", 18, b'{"events":[{"type":"casework.CaseClosed"}]}')
    moved = RecordPart("casework", 19, PARTS[1].commit)

    hashes = {
        record_hash(PARTS),
        record_hash(PARTS[:-1]),
        record_hash([*PARTS, extra]),
        record_hash([PARTS[0], moved, *PARTS[2:]]),
    }

    assert len(hashes) == 4


def test_the_chain_hash_covers_the_previous_link_and_the_record() -> None:
    record = record_hash(PARTS)

    assert chain_hash(PREVIOUS, record) == hashlib.sha256((PREVIOUS + record).encode()).hexdigest()
    assert chain_hash(GENESIS, record) != chain_hash(PREVIOUS, record)
    assert GENESIS == "0" * 64


@pytest.mark.parametrize(
    ("procedure", "year", "number", "reference"),
    [
        ("gewerbeanmeldung", 2026, 17, "32.10.01/2026/00017"),
        ("gewerbeanmeldung", 2027, 1, "32.10.01/2027/00001"),
        ("gewerbeanmeldung", 2026, 99_999, "32.10.01/2026/99999"),
        ("hundeanmeldung", 2026, 17, "00.00.00/2026/00017"),
    ],
)
def test_the_file_reference_is_plan_position_year_and_five_digit_number(
    procedure: str, year: int, number: int, reference: str
) -> None:
    assert file_reference(procedure, year, number) == reference


@pytest.mark.parametrize(
    ("closed", "until"),
    [
        (datetime(2026, 1, 1, 12, 0, tzinfo=UTC), date(2036, 12, 31)),
        (datetime(2026, 11, 20, 9, 15, tzinfo=UTC), date(2036, 12, 31)),
        (datetime(2026, 12, 31, 12, 0, tzinfo=UTC), date(2036, 12, 31)),
    ],
)
def test_files_are_kept_until_the_end_of_the_tenth_year_after_closure(
    closed: datetime, until: date
) -> None:
    assert retain_until("gewerbeanmeldung", closed) == until
    assert retain_until("hundeanmeldung", closed) == until


def test_a_complete_case_is_filed_with_reference_seal_and_retention() -> None:
    record = recomputed(PARTS)

    assert decide_filing([], file_case()) == [
        CaseFiled(
            case_id=CASE,
            file_reference="32.10.01/2026/00017",
            event_count=4,
            record_hash=record,
            chain_hash=hashlib.sha256((PREVIOUS + record).encode()).hexdigest(),
            retain_until=date(2036, 12, 31),
            filed_at=NOW,
        )
    ]


def test_the_reference_takes_the_filing_year_and_retention_the_closing_year() -> None:
    [event] = decide_filing(
        [],
        file_case(
            closed=datetime(2026, 12, 30, 15, 0, tzinfo=UTC),
            now=datetime(2027, 1, 4, 8, 0, tzinfo=UTC),
        ),
    )

    assert isinstance(event, CaseFiled)
    assert event.file_reference == "32.10.01/2027/00017"
    assert event.retain_until == date(2036, 12, 31)


def test_a_case_is_filed_only_once() -> None:
    history = decide_filing([], file_case())

    assert decide_filing(history, file_case()) == []


# 23:30 UTC on 31 December 2026 is 00:30 on 1 January 2027 in Wurzen.
NEW_YEAR_IN_GERMANY = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)


def test_retention_counts_from_the_german_calendar_year_of_closure() -> None:
    assert retain_until("gewerbeanmeldung", NEW_YEAR_IN_GERMANY) == date(2037, 12, 31)


def test_the_file_reference_year_is_the_german_calendar_year_of_filing() -> None:
    [event] = decide_filing([], file_case(closed=NEW_YEAR_IN_GERMANY, now=NEW_YEAR_IN_GERMANY))

    assert isinstance(event, CaseFiled)
    assert event.file_reference == "32.10.01/2027/00017"


def test_a_case_is_filed_only_when_submitted_closed_and_settled_and_only_once() -> None:
    whole = {"submitted": True, "closed": True, "fee_settled": True}
    assert ready_to_file(**whole, filed=False)
    assert not ready_to_file(**whole, filed=True)
    for missing in whole:
        assert not ready_to_file(**{**whole, missing: False}, filed=False), missing


INVOICE_PARTS = [
    RecordPart("billing", 310, b'{"events":[{"type":"billing.IncomingInvoiceReceived"}]}'),
    RecordPart("billing", 322, b'{"events":[{"type":"billing.InvoiceFactuallyApproved"}]}'),
    RecordPart("billing", 325, b'{"events":[{"type":"billing.InvoicePaymentOrdered"}]}'),
    RecordPart("billing", 331, b'{"events":[{"type":"billing.InvoiceReleasedForPayment"}]}'),
]
ORIGINAL = hashlib.sha256(b"<Invoice/>").hexdigest()
REPORT = hashlib.sha256(b"<html>Bericht</html>").hexdigest()


def file_invoice(outcome: InvoiceOutcome = "paid") -> FileInvoice:
    return FileInvoice(
        case_id=CASE,
        procedure=INVOICES,
        parts=INVOICE_PARTS,
        previous_chain_hash=PREVIOUS,
        number=18,
        closed_at=CLOSED,
        now=NOW,
        original_sha256=ORIGINAL,
        report_sha256=REPORT,
        outcome=outcome,
    )


def test_an_ended_invoice_is_filed_in_the_town_s_chain_under_the_invoices_plan_position() -> None:
    record = recomputed(INVOICE_PARTS)

    assert decide_invoice_filing([], file_invoice()) == [
        InvoiceFiled(
            invoice_id=CASE,
            file_reference="20.31.01/2026/00018",
            event_count=4,
            record_hash=record,
            chain_hash=hashlib.sha256((PREVIOUS + record).encode()).hexdigest(),
            retain_until=date(2036, 12, 31),
            filed_at=NOW,
            original_sha256=ORIGINAL,
            report_sha256=REPORT,
            outcome="paid",
        )
    ]


def test_an_invoice_is_filed_only_once() -> None:
    history = decide_invoice_filing([], file_invoice())

    assert decide_invoice_filing(history, file_invoice("rejected")) == []
