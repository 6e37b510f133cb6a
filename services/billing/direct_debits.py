"""SEPA direct debits of the dog tax: one pain.008 file per town and due day, made once.

For a due day the file collects, from every keeper who gave a mandate, the instalment due that
day — at most what is still open on the claim (a keeper who paid ahead is not debited again).
The creditor is the town's account with its Gläubiger-ID (``[billing.account] creditor_id``);
the debtor's name, IBAN and BIC are the mandate in the keeper's registration, opened with its
key only here; the mandate's reference is the claim's (``HST-<Kassenzeichen>``), its date
the registration's. Each collection's end-to-end id and remittance carry the Kassenzeichen,
so that the bank's statement books it to the claim like a transfer (and a return as a
reversal). The file is built with sepaxml and checked against the pain.008.001.02 schema it
ships; it is stored with an event (``DirectDebitFileCreated``) in one transaction, and asked for
again the same day it is the same bytes.

Sequence type RCUR for every collection: allowed for the first collection of a mandate too
since the EPC rulebook of November 2016. The collection day is the due day, or — where the
due day is closer than two days — two days from now, the time a CORE debit needs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import structlog
from sepaxml import SepaDD  # type: ignore[import-untyped]

from contracts.calendar import german_date
from contracts.events.billing import DirectDebit, DirectDebitFileCreated
from contracts.fee_schedules import TownAccount
from contracts.naming import Service
from runtime import outbox
from runtime.database import lock_key
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import derived_id, new_id
from runtime.service import Runtime
from services.billing.stored_records import opened_application, town_account

log = structlog.get_logger(__name__)

LEAD_DAYS = 2
"""Days a CORE direct debit needs between the file and the collection (one business day, and
one for the treasury to upload it)."""

DUE = """
SELECT c.case_id, c.cash_reference, c.raised - c.paid AS open, i.amount, d.mandate_reference,
       d.dogs
FROM rm_claims.direct_debits d
JOIN rm_claims.claims c USING (case_id)
JOIN rm_claims.instalments i USING (case_id)
WHERE d.town = $1 AND i.due = $2 AND c.raised > c.paid
ORDER BY c.cash_reference
"""

MANDATE = """
SELECT a.event_id, a.commit FROM rm_dog_register.dogs g
JOIN rm_dog_register.applications a USING (application_id)
WHERE g.dog_id = ANY($1::uuid[]) AND g.direct_debit
ORDER BY g.registered_at
LIMIT 1
"""


class NoCreditorId(LookupError):
    """The town's member file names no Gläubiger-ID: it collects no direct debits."""


@dataclass(frozen=True)
class Debtor:
    """Who is debited: the mandate as the keeper gave it."""

    name: str
    iban: str
    bic: str | None
    signed_on: date


@dataclass(frozen=True)
class DebitFile:
    """A made file and what it collects."""

    content: bytes
    created: bool
    """False: made before (the same bytes)."""


def collection_date(due: date, today: date) -> date:
    """The due day, unless it is closer than the lead time allows."""
    return max(due, today + timedelta(days=LEAD_DAYS))


def cents(amount: Decimal) -> int:
    """An amount in cents, as sepaxml takes it."""
    return int((amount * 100).to_integral_value())


def build_file(
    account: TownAccount,
    debits: list[tuple[DirectDebit, Debtor]],
    *,
    collection: date,
    year_text: str,
) -> tuple[bytes, str]:
    """The pain.008.001.02 file, validated against its schema, and its message id (unique, as
    banks require of every file submitted)."""
    assert account.creditor_id is not None
    sepa = SepaDD(
        {
            "name": account.holder,
            "IBAN": account.iban,
            "BIC": account.bic,
            "batch": True,
            "creditor_id": account.creditor_id,
            "currency": "EUR",
        },
        schema="pain.008.001.02",
    )
    for debit, debtor in debits:
        payment: dict[str, Any] = {
            "name": debtor.name,
            "IBAN": debtor.iban,
            "amount": cents(debit.amount),
            "type": "RCUR",
            "collection_date": collection,
            "mandate_id": debit.mandate_reference,
            "mandate_date": debtor.signed_on,
            "description": f"Hundesteuer {year_text} Kassenzeichen {debit.cash_reference}",
            "endtoend_id": debit.cash_reference,
        }
        if debtor.bic:
            payment["BIC"] = debtor.bic
        sepa.add_payment(payment)
    content: bytes = sepa.export(validate=True)
    return content, str(sepa.msg_id)


async def direct_debit_file(runtime: Runtime, town: str, due: date, actor: str) -> DebitFile | None:
    """The town's file for ``due`` (made now, or as made before); None: nothing to collect."""
    account = await town_account(runtime, town)
    if account is None or account.creditor_id is None:
        raise NoCreditorId(town)
    async with runtime.pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(f"billing:debits:{town}"))
        made = await conn.fetchval(
            "SELECT content FROM public.billing_direct_debit_files WHERE town = $1 AND due = $2",
            town,
            due,
        )
        if made is not None:
            return DebitFile(bytes(made), created=False)
        rows = await conn.fetch(DUE, town, due)
        if not rows:
            return None
        debits = []
        for row in rows:
            debtor = await _debtor(runtime, conn, row["dogs"])
            if debtor is None:
                log.warning("no mandate to debit: erased", claim=row["cash_reference"])
                continue
            debit = DirectDebit(
                cash_reference=row["cash_reference"],
                amount=min(row["amount"], row["open"]),
                mandate_reference=row["mandate_reference"],
            )
            debits.append((debit, debtor))
        if not debits:
            return None
        now = datetime.now(UTC)
        collection = collection_date(due, german_date(now))
        content, message_id = build_file(
            account, debits, collection=collection, year_text=str(due.year)
        )
        checksum = hashlib.sha256(content).hexdigest()
        await conn.execute(
            "INSERT INTO public.billing_direct_debit_files (town, due, content, checksum)"
            " VALUES ($1, $2, $3, $4)",
            town,
            due,
            content,
            checksum,
        )
        event = DirectDebitFileCreated(
            town=town,
            due=due,
            collection_date=collection,
            message_id=message_id,
            debits=[debit for debit, _ in debits],
            total=sum((debit.amount for debit, _ in debits), Decimal("0.00")),
            checksum=checksum,
            created_by=actor,
            created_at=now,
        )
        await outbox.record(
            conn,
            AggregateRef(Service.BILLING, town, "direct-debit-file", f"{town}-{due.isoformat()}"),
            [event],
            commit_id=derived_id("billing.direct-debit-file", town, due.isoformat()),
            cause=Cause(actor=actor, correlation_id=new_id()),
            expected_seq=0,
        )
    return DebitFile(content, created=True)


async def _debtor(runtime: Runtime, conn: asyncpg.Connection, dogs: list[UUID]) -> Debtor | None:
    """The mandate of the keeper's registrations; None once their data is erased."""
    row = await conn.fetchrow(MANDATE, dogs)
    if row is None:
        return None
    event = await opened_application(runtime, row["event_id"], row["commit"])
    mandate = (event.form or {}).get("mandate") or {}
    if not mandate:
        return None
    return Debtor(
        name=str(mandate["account_holder"]),
        iban="".join(str(mandate["iban"]).split()),
        bic=mandate.get("bic") or None,
        signed_on=german_date(event.submitted_at),
    )
