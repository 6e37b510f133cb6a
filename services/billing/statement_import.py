"""Importing a bank's statement file: read, reconcile, record — all of it or nothing.

The pure part (``statements``) reads the camt file and reconciles its entries with the claims.
This module gives it the claims as they stand and records the outcome in **one** PostgreSQL
transaction, under one advisory lock (imports run one at a time, each seeing the last one's
bookings): the entries' keys (an entry seen before books nothing), each booking
(``bookings.book_in``), each clarification item with its payer's details, and the events that
announce them in the outbox. A crash before the commit imports nothing; after it, everything,
announced whenever NATS is there.

An account is read from one kind of message only (camt.053 statements or camt.054
notifications): the same movement arrives in both under different keys, so the first kind
imported for an account is kept and the other refused (``statements.keys``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from contracts.events.billing import (
    PaymentAwaitingClarification,
    PaymentBooked,
    StatementImported,
)
from contracts.naming import Service
from runtime import outbox
from runtime.auth import OPERATOR_ROLE, Identity
from runtime.database import lock_key
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import derived_id, new_id
from runtime.service import Runtime
from services.billing.aggregates import clarification_ref
from services.billing.bookings import book_in, booked_since_projection
from services.billing.statements import (
    Booking,
    Claim,
    Clarification,
    Reconciliation,
    Statement,
    StatementRefused,
    parse_camt,
    reconcile,
)

IMPORT_LOCK = lock_key("billing:statement-import")
ZERO = Decimal("0.00")


class NotYourAccount(PermissionError):
    """The file holds a statement of an account of a town the caller does not serve."""

    def __init__(self, town: str) -> None:
        super().__init__(
            f"Der Auszug gehört zu einem Konto der Gemeinde {town}; für diese Gemeinde sind"
            " Sie nicht zuständig."
        )
        self.town = town


@dataclass(frozen=True)
class ImportReport:
    """What one import did (a repeat of a file books nothing and says so)."""

    checksum: str
    repeated: bool
    statements: tuple[Statement, ...]
    towns: tuple[str, ...]
    result: Reconciliation
    item_ids: dict[str, str]
    """Clarification's id in the reconciliation → the item's id in the queue."""

    def summary(self) -> dict[str, Any]:
        """The JSON answer for the treasury."""
        skipped = self.result.skipped
        return {
            "checksum": self.checksum,
            "repeated": self.repeated,
            "statements": [s.statement_id for s in self.statements],
            "towns": list(self.towns),
            "booked": [_booking_json(b) for b in self.result.bookings],
            "booked_total": str(sum((b.amount for b in self.result.bookings), ZERO)),
            "clarifications": [
                _clarification_json(c, self.item_ids[c.id]) for c in self.result.clarifications
            ],
            "skipped": [
                {
                    "entry": s.entry,
                    "statement_id": s.statement_id,
                    "code": s.code,
                    "reason": s.reason,
                }
                for s in skipped
            ],
            "duplicates": sum(1 for s in skipped if s.code == "duplicate"),
        }


def _booking_json(booking: Booking) -> dict[str, Any]:
    return {
        "booking_id": booking.id,
        "cash_reference": booking.kassenzeichen,
        "amount": str(booking.amount),
        "kind": booking.kind.value,
        "matched_by": booking.matched_by.value,
        "open_after": str(booking.open_after),
        "entry": booking.source.entry,
    }


def _clarification_json(item: Clarification, item_id: str) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "town": item.town,
        "amount": str(item.amount),
        "code": item.code,
        "reason": item.reason,
        "candidates": list(item.kassenzeichen),
        "entry": item.source.entry,
    }


def item_id_of(clarification: Clarification) -> str:
    """The queue's id of a clarification: stable across imports, safe in a subject and a URL."""
    return str(derived_id("billing.clarification", clarification.id))


def statement_import_ref(town: str, checksum: str) -> AggregateRef:
    """The record of one statement file's imports."""
    return AggregateRef(Service.BILLING, town, "statement-import", checksum[:32])


async def import_file(
    runtime: Runtime, data: bytes, *, identity: Identity, file_name: str | None = None
) -> ImportReport:
    """Read, reconcile and record ``data``; ``StatementRefused`` or ``NotYourAccount``."""
    statements = list(parse_camt(data))
    checksum = hashlib.sha256(data).hexdigest()
    async with runtime.pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", IMPORT_LOCK)
        await conn.execute("SET LOCAL synchronous_commit TO ON")  # answered = kept
        accounts = {
            row["iban"]: row["town"]
            for row in await conn.fetch("SELECT iban, town FROM rm_claims.accounts")
        }
        towns = tuple(dict.fromkeys(accounts.get(s.account_iban, "") for s in statements))
        for town in towns:
            if town and not _serves(identity, town):
                raise NotYourAccount(town)
        await _one_kind_per_account(conn, statements)
        claims, case_ids = await _claims(conn, [town for town in towns if town])
        booked = {
            row["key"]
            for row in await conn.fetch(
                "SELECT key FROM public.billing_statement_keys WHERE town = ANY($1::text[])",
                list(towns),
            )
        }
        result = reconcile(statements, claims, account_towns=accounts, booked=booked)
        cause = Cause(actor=_actor(identity), correlation_id=new_id())
        await conn.executemany(
            "INSERT INTO public.billing_statement_keys (key, town) VALUES ($1, $2)"
            " ON CONFLICT (key) DO NOTHING",
            [(key, _town_of_key(key, accounts)) for key in sorted(result.keys)],
        )
        now = datetime.now(UTC)
        for booking in result.bookings:
            await book_in(conn, booking.town, _booked(booking, case_ids, now), cause)
        item_ids = {c.id: item_id_of(c) for c in result.clarifications}
        for item in result.clarifications:
            await _awaiting(conn, item, item_ids[item.id], now, cause)
        repeated = await conn.fetchval(
            "INSERT INTO public.billing_statement_files (checksum, file_name, kind, imported_by)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (checksum) DO NOTHING RETURNING false",
            checksum,
            file_name,
            statements[0].kind.value,
            identity.subject,
        )
        report = ImportReport(
            checksum=checksum,
            repeated=repeated is None,
            statements=tuple(statements),
            towns=tuple(town for town in towns if town),
            result=result,
            item_ids=item_ids,
        )
        await _record_import(conn, report, file_name, identity, now, cause)
    return report


def _serves(identity: Identity, town: str) -> bool:
    return identity.has_role(OPERATOR_ROLE) or town in identity.towns


def _actor(identity: Identity) -> str:
    if identity.has_role(OPERATOR_ROLE):
        return identity.operator_actor
    return f"treasury:{identity.subject}"


async def _one_kind_per_account(conn: asyncpg.Connection, statements: list[Statement]) -> None:
    for statement in statements:
        kind = await conn.fetchval(
            "INSERT INTO public.billing_account_formats VALUES ($1, $2)"
            " ON CONFLICT (iban) DO UPDATE SET kind = billing_account_formats.kind"
            " RETURNING kind",
            statement.account_iban,
            statement.kind.value,
        )
        if kind != statement.kind.value:
            raise StatementRefused.because(
                "other_message_kind",
                f"Für das Konto {statement.account_iban} werden {kind}-Nachrichten eingelesen;"
                f" dieselben Umsätze kämen mit {statement.kind.value} ein zweites Mal. Bitte"
                f" lesen Sie für dieses Konto nur {kind} ein.",
            )


async def _claims(
    conn: asyncpg.Connection, towns: list[str]
) -> tuple[list[Claim], dict[str, UUID]]:
    rows = await conn.fetch(
        "SELECT case_id, town, cash_reference, raised, paid FROM rm_claims.claims"
        " WHERE town = ANY($1::text[])",
        towns,
    )
    pending = await booked_since_projection(conn, [row["cash_reference"] for row in rows])
    claims = []
    for row in rows:
        paid = row["paid"] + pending.get(row["cash_reference"], ZERO)
        claims.append(Claim(row["cash_reference"], row["town"], row["raised"] - paid, paid))
    return claims, {row["cash_reference"]: row["case_id"] for row in rows}


def _town_of_key(key: str, accounts: dict[str, str]) -> str:
    """A key starts with its account's IBAN (``statements.keys``)."""
    return accounts.get(key.split(":", 1)[0], "")


def _booked(booking: Booking, case_ids: dict[str, UUID], now: datetime) -> PaymentBooked:
    source = booking.source
    return PaymentBooked(
        case_id=case_ids[booking.kassenzeichen],
        cash_reference=booking.kassenzeichen,
        booking_id=booking.id,
        kind=booking.kind.value,
        amount=booking.amount,
        currency=source.currency,
        channel="bank_statement",
        matched_by=booking.matched_by.value,
        booked_at=now,
        value_date=source.value_date,
        booking_date=source.booking_date,
        account_iban=source.account_iban,
        statement_id=source.statement_id,
        entry=source.entry,
        bank_reference=source.bank_reference,
        end_to_end_id=source.end_to_end_id,
    )


async def _awaiting(
    conn: asyncpg.Connection, item: Clarification, item_id: str, now: datetime, cause: Cause
) -> None:
    source = item.source
    inserted = await conn.fetchval(
        "INSERT INTO public.billing_clarification_items (item_id, town, amount, payer_name,"
        " payer_iban, remittance) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (item_id) DO NOTHING RETURNING true",
        item_id,
        item.town,
        item.amount,
        source.payer.name,
        source.payer.iban,
        list(source.remittance),
    )
    if not inserted:
        return
    event = PaymentAwaitingClarification(
        item_id=item_id,
        town=item.town,
        amount=item.amount,
        currency=source.currency,
        code=item.code,
        reason=item.reason,
        candidates=list(item.kassenzeichen),
        account_iban=source.account_iban,
        statement_id=source.statement_id,
        entry=source.entry,
        bank_reference=source.bank_reference,
        end_to_end_id=source.end_to_end_id,
        booking_date=source.booking_date,
        value_date=source.value_date,
        received_at=now,
    )
    await outbox.record(
        conn,
        clarification_ref(item.town, item_id),
        [event],
        commit_id=derived_id("billing.clarification.raised", item_id),
        cause=cause,
        expected_seq=0,
    )


async def _record_import(
    conn: asyncpg.Connection,
    report: ImportReport,
    file_name: str | None,
    identity: Identity,
    now: datetime,
    cause: Cause,
) -> None:
    result = report.result
    event = StatementImported(
        checksum=report.checksum,
        file_name=file_name,
        statements=[s.statement_id for s in report.statements],
        towns=list(report.towns),
        bookings=len(result.bookings),
        booked_total=sum((b.amount for b in result.bookings), ZERO),
        clarifications=len(result.clarifications),
        clarified_total=sum((c.amount for c in result.clarifications), ZERO),
        skipped=len(result.skipped),
        duplicates=sum(1 for s in result.skipped if s.code == "duplicate"),
        imported_by=identity.subject,
        imported_at=now,
    )
    await outbox.record(
        conn,
        statement_import_ref(report.towns[0] if report.towns else "unknown", report.checksum),
        [event],
        commit_id=new_id(),
        cause=cause,
    )
