"""Payment release: a town's SEPA credit-transfer file (pain.001) of its approved invoices.

The treasury asks for a file (``make_payment_file``); it holds every invoice of the town that
is approved for payment (ordered, countersigned where the threshold asks it) and not yet in a
file — each invoice is paid exactly once: its approval row is locked and moved to
``released`` with ``InvoiceReleasedForPayment``, and ``billing_invoice_payments`` has one row
per invoice (its primary key), in the transaction that stores the file and records
``CreditTransferFileCreated``. A second call finds none of them again.

- debtor: the owning town's account (the one its fee schedule names, from its member file) —
  a delegated invoice, approved by the service centre, is paid from the owner's account;
- creditor: the invoice's account (BG-17: IBAN, BIC if given) and the seller's name;
- amount: the payable amount, less the early-payment discount while it can still be taken on
  the execution date (``domain.invoice_payment``, where the decision is explained);
- remittance: the invoice number (and its date); the end-to-end id is the invoice number where
  SEPA's characters and 35 places allow, else the invoice id.

The file is pain.001.001.09 (the version German banks take under the DFÜ agreement since
November 2023), made with sepaxml and validated against the schema it ships; it is kept in
billing's database for the treasury (it names the suppliers' accounts) and served as made.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import asyncpg
import structlog
from sepaxml import SepaTransfer  # type: ignore[import-untyped]

from contracts.calendar import german_date
from contracts.events.einvoices import CreditTransfer, CreditTransferFileCreated, PaymentAccount
from contracts.fee_schedules import TownAccount
from contracts.naming import Service
from runtime import outbox
from runtime.auth import Identity
from runtime.database import lock_key
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
from runtime.service import Runtime
from services.billing.domain import invoice_approval as rules
from services.billing.domain.invoice_approval import InvoiceFacts
from services.billing.domain.invoice_payment import amount_on
from services.billing.invoice_approvals import (
    apply_decision,
    locked_state,
    received_event,
)
from services.billing.stored_records import town_account

log = structlog.get_logger(__name__)

SCHEMA = "pain.001.001.09"
SEPA_ID = re.compile(r"^[A-Za-z0-9/\-?:().,'+ ]{1,35}$")
"""What an end-to-end id may hold (the SEPA character set, at most 35 places)."""


class NoTownAccount(LookupError):
    """The town's member file names no account to pay from (German text)."""


@dataclass(frozen=True)
class Line:
    """One invoice to transfer: to whom, how much, and what the remittance says."""

    facts: InvoiceFacts
    account: PaymentAccount
    amount: Decimal
    discounted: bool

    @property
    def end_to_end_id(self) -> str:
        """The invoice number if SEPA takes it as it is, else the invoice id."""
        number = self.facts.invoice_number.strip()
        if SEPA_ID.match(number) and not number.startswith("/"):
            return number
        return self.facts.invoice_id.hex[:35]

    @property
    def remittance(self) -> str:
        """The unstructured remittance: invoice number and date (140 places at most)."""
        issued = self.facts.issue_date
        day = f" vom {issued:%d.%m.%Y}" if issued else ""
        discount = " abzgl. Skonto" if self.discounted else ""
        return f"Rechnung {self.facts.invoice_number}{day}{discount}"[:140]


def cents(amount: Decimal) -> int:
    """An amount in cents, as sepaxml takes it."""
    return int((amount * 100).to_integral_value())


def build_file(account: TownAccount, lines: list[Line], execution: date) -> tuple[bytes, str]:
    """The pain.001 file, validated against its schema, and its message id (pure but for the
    message id's randomness, which banks require to be unique per file)."""
    sepa = SepaTransfer(
        {
            "name": account.holder,
            "IBAN": account.iban.replace(" ", ""),
            "BIC": account.bic,
            "batch": True,
            "currency": "EUR",
        },
        schema=SCHEMA,
    )
    for line in lines:
        payment = {
            "name": line.facts.seller_name,
            "IBAN": "".join(line.account.iban.split()).upper(),
            "amount": cents(line.amount),
            "execution_date": execution,
            "description": line.remittance,
            "endtoend_id": line.end_to_end_id,
        }
        if line.account.bic:
            payment["BIC"] = line.account.bic.strip().upper()
        sepa.add_payment(payment)
    content: bytes = sepa.export(validate=True)
    return content, str(sepa.msg_id)


@dataclass(frozen=True)
class PaymentFile:
    """A file made: its id, what it transfers, and its bytes."""

    file_id: UUID
    event: CreditTransferFileCreated
    content: bytes


APPROVED = """
SELECT invoice_id FROM public.billing_invoice_approvals
WHERE town = $1 AND status = 'approved'
ORDER BY invoice_id
FOR UPDATE
"""


def credit_transfer_file_ref(town: str, file_id: UUID) -> AggregateRef:
    """One credit-transfer file in the paying town's log."""
    return AggregateRef(Service.BILLING, town, "credit-transfer-file", str(file_id))


async def make_payment_file(runtime: Runtime, identity: Identity, town: str) -> PaymentFile | None:
    """The town's file of every approved invoice not yet paid (None: there is none).

    The caller has checked that ``identity`` may make the town's files."""
    account = await town_account(runtime, town)
    if account is None:
        raise NoTownAccount(
            "Für diese Gemeinde ist kein Konto hinterlegt, von dem überwiesen werden könnte."
        )
    now = datetime.now(UTC)
    execution = german_date(now)
    file_id = new_id()
    actor = f"clerk:{identity.subject}"
    cause = Cause(actor=actor, correlation_id=file_id)
    async with runtime.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL synchronous_commit TO ON")
        await conn.execute(
            "SELECT pg_advisory_xact_lock($1)", lock_key(f"billing:credit-transfers:{town}")
        )
        lines: list[Line] = []
        for row in await conn.fetch(APPROVED, town):
            state = await locked_state(conn, town, row["invoice_id"])
            received = await received_event(runtime, town, row["invoice_id"])
            if received is None or received.payment_account is None:
                log.warning("approved invoice without an account: left out", invoice=row[0])
                continue
            paying = amount_on(state.facts, execution)
            release = rules.Release(
                file_id, paying.amount, paying.discounted, execution, actor, now
            )
            await apply_decision(conn, state, release, cause)
            lines.append(
                Line(state.facts, received.payment_account, paying.amount, paying.discounted)
            )
        if not lines:
            return None
        content, message_id = build_file(account, lines, execution)
        event = await _store(conn, town, file_id, lines, content, message_id, execution, actor, now)
        await outbox.record(
            conn,
            credit_transfer_file_ref(town, file_id),
            [event],
            commit_id=file_id,
            cause=cause,
            expected_seq=0,
        )
    log.info("credit-transfer file made", town=town, file=str(file_id), transfers=len(lines))
    return PaymentFile(file_id, event, content)


async def _store(
    conn: asyncpg.Connection,
    town: str,
    file_id: UUID,
    lines: list[Line],
    content: bytes,
    message_id: str,
    execution: date,
    actor: str,
    now: datetime,
) -> CreditTransferFileCreated:
    """Keep the file and one payment row per invoice; the event that announces them."""
    total = sum((line.amount for line in lines), Decimal("0.00"))
    checksum = hashlib.sha256(content).hexdigest()
    await conn.execute(
        "INSERT INTO public.billing_credit_transfer_files (file_id, town, message_id,"
        " execution_date, transfers, total, content, checksum, created_by, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        file_id,
        town,
        message_id,
        execution,
        len(lines),
        total,
        content,
        checksum,
        actor,
        now,
    )
    await conn.executemany(
        "INSERT INTO public.billing_invoice_payments (invoice_id, file_id, amount, discounted)"
        " VALUES ($1, $2, $3, $4)",
        [(line.facts.invoice_id, file_id, line.amount, line.discounted) for line in lines],
    )
    return CreditTransferFileCreated(
        town=town,
        file_id=file_id,
        message_id=message_id,
        schema_version=SCHEMA,
        execution_date=execution,
        transfers=[
            CreditTransfer(
                invoice_id=line.facts.invoice_id,
                invoice_number=line.facts.invoice_number,
                seller_name=line.facts.seller_name,
                amount=line.amount,
                discounted=line.discounted,
                end_to_end_id=line.end_to_end_id,
            )
            for line in lines
        ],
        total=total,
        checksum=checksum,
        size=len(content),
        created_by=actor,
        created_at=now,
    )
