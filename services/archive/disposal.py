"""Disposal at the end of retention: the disposal list, the state archive, destruction.

The steps, each recorded in archive's database together with its event (through the outbox,
in one transaction), so a crash between two leaves every file where it was:

1. *Due* — a timer (``run_disposal``, by the timers' clock, ``runtime.clock``) puts every file
   whose ``retain_until`` has passed on its town's disposal list: ``archive.RetentionExpired``,
   once per file.
2. *Offered* — an operator runs the town's disposal: the due files without a legal hold are
   offered to the state archive (xdomea 0501; its receipt 0504 read back):
   ``archive.DisposalOffered``. The process id is derived from the files offered, so an offer
   sent again after a crash is the same offer.
3. *Appraised* — the archive's 0502 says per file ``A`` (it takes it) or ``V`` (destroy):
   ``archive.DisposalAppraised``. Until it answers, the process waits (the timer asks again).
4. *Handed over* — the files it takes go as one 0503 package with their documents (the file's
   stored documents, opened with the case's key, and its event history as ``Verlauf.xml``);
   the 0506 says which were imported: ``archive.FilesHandedOver``.
5. *Destroyed* — a file handed over and imported, or appraised ``V``, is destroyed: its key
   (crypto-shredding, so no personal datum of it is readable anywhere) and its stored
   documents, as an erasure (``services.archive.erasure``), then the destruction record
   ``archive.FileDestroyed``. Its reference and hashes stay on the chain, which still verifies.

A legal hold (``archive.LegalHoldPlaced``) stops a file at whatever step it is; lifting it
lets the disposal go on. Every message in and out is checked against the xdomea schema.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import mimetypes
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import structlog
from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from contracts.calendar import german_date
from contracts.events.archive import (
    DisposalAppraised,
    DisposalOffered,
    FileDestroyed,
    FilesHandedOver,
    LegalHoldLifted,
    LegalHoldPlaced,
    RetentionExpired,
)
from contracts.naming import Service
from contracts.procedures import procedure_title
from runtime import outbox
from runtime.clock import Clock
from runtime.database import lock_key
from runtime.documents import decrypt
from runtime.errors import describe_error
from runtime.eventstore import AggregateRef, Cause
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.ids import derived_id, new_id
from runtime.members import read_member_files
from runtime.service import Runtime
from services.archive.domain import xdomea
from services.archive.erasure import erase_case, file_key, stored_names
from services.archive.settings import ArchiveSettings
from services.archive.state_archive import (
    HttpStateArchive,
    StateArchive,
    StateArchiveUnavailable,
)

log = structlog.get_logger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_IN_SHARED_DATA = Path("xdomea") / "schemes" / "xdomea_3.0.0"
MACHINE_SHARED_DATA = Path("/work/shared/data")
"""Where this workplace's machines keep the shared corpora."""
TIMER = "system:archive.disposal"


def schema_dir(configured: str = "") -> Path:
    """The xdomea schemas: as configured, else in the shared data beside the repository (a
    clone may sit deeper than the main checkout; ``RATHAUS_SHARED_DATA`` names another)."""
    if configured:
        return Path(configured)
    named = os.environ.get("RATHAUS_SHARED_DATA")
    candidates = [Path(named)] if named else []
    candidates += [folder / "shared" / "data" for folder in REPO_ROOT.parents]
    candidates.append(MACHINE_SHARED_DATA)  # a clone in a temporary folder has no ../shared
    for data in candidates:
        if (data / SCHEMA_IN_SHARED_DATA / "xdomea.xsd").is_file():
            return data / SCHEMA_IN_SHARED_DATA
    return REPO_ROOT.parent / "shared" / "data" / SCHEMA_IN_SHARED_DATA


def item_ref(tenant: str, case_id: UUID) -> AggregateRef:
    """A file's way through disposal (retention ended, destroyed)."""
    return AggregateRef(Service.ARCHIVE, tenant, "disposal-item", str(case_id))


def process_ref(tenant: str, process_id: UUID) -> AggregateRef:
    """One disposal process with the state archive."""
    return AggregateRef(Service.ARCHIVE, tenant, "disposal", str(process_id))


def hold_ref(tenant: str, case_id: UUID) -> AggregateRef:
    """A file's legal holds."""
    return AggregateRef(Service.ARCHIVE, tenant, "legal-hold", str(case_id))


@dataclass
class DisposalReport:
    """What one run of a town's disposal did."""

    town: str
    expired: int = 0
    offered: list[UUID] = field(default_factory=list)
    appraised: dict[str, str] = field(default_factory=dict)
    handed_over: list[UUID] = field(default_factory=list)
    destroyed: list[UUID] = field(default_factory=list)
    held: list[UUID] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    """Why a step could not be taken now (the archive has not appraised yet, is down, …)."""


class Disposal:
    """The disposal steps, bound to the running service and a state archive."""

    def __init__(self, runtime: Runtime, state_archive: StateArchive | None) -> None:
        settings = runtime.settings
        assert isinstance(settings, ArchiveSettings)
        self.runtime = runtime
        self.settings = settings
        self.state_archive = state_archive
        self.clock = Clock(settings.test_clock_file)
        self._schema: xdomea.Schema | None = None
        self.archive_party = xdomea.Party(settings.state_archive_key, settings.state_archive_name)

    @classmethod
    def of(cls, runtime: Runtime) -> Disposal:
        """With the configured state archive (none configured: files only become due)."""
        settings = runtime.settings
        assert isinstance(settings, ArchiveSettings)
        url = settings.state_archive_url
        return cls(runtime, HttpStateArchive(url) if url else None)

    @property
    def schema(self) -> xdomea.Schema:
        if self._schema is None:
            self._schema = xdomea.Schema(schema_dir(self.settings.xdomea_schema_dir))
        return self._schema

    # -- 1. due -------------------------------------------------------------------------

    async def expire(self, now: datetime) -> int:
        """Put every file whose retention has passed on its town's disposal list."""
        today = german_date(now)
        rows = await self.runtime.pool.fetch(
            "SELECT f.case_id, f.tenant, f.file_reference, f.retain_until"
            " FROM rm_case_records.files f"
            " WHERE f.retain_until < $1 AND NOT EXISTS"
            " (SELECT 1 FROM archive_disposal_items d WHERE d.case_id = f.case_id)"
            " ORDER BY f.tenant, f.position",
            today,
        )
        for row in rows:
            async with self.runtime.pool.acquire() as conn, conn.transaction():
                inserted = await conn.fetchval(
                    "INSERT INTO archive_disposal_items (case_id, tenant, file_reference,"
                    " retain_until, expired_at) VALUES ($1, $2, $3, $4, $5)"
                    " ON CONFLICT DO NOTHING RETURNING true",
                    row["case_id"],
                    row["tenant"],
                    row["file_reference"],
                    row["retain_until"],
                    now,
                )
                if inserted:
                    await self._record(
                        conn,
                        item_ref(row["tenant"], row["case_id"]),
                        RetentionExpired(
                            case_id=row["case_id"],
                            file_reference=row["file_reference"],
                            retain_until=row["retain_until"],
                            expired_at=now,
                        ),
                        derived_id(row["case_id"], "retention-expired"),
                        TIMER,
                    )
        if rows:
            log.info("files due for disposal", files=len(rows), day=str(today))
        return len(rows)

    # -- legal holds --------------------------------------------------------------------

    async def place_hold(self, case_id: UUID, reason: str, actor: str) -> bool:
        """Stop the file's disposal; False if it is on hold already."""
        tenant = await self._tenant_of(case_id)
        now = datetime.now(UTC)
        async with self.runtime.pool.acquire() as conn, conn.transaction():
            inserted = await conn.fetchval(
                "INSERT INTO archive_legal_holds VALUES ($1, $2, $3, $4, $5)"
                " ON CONFLICT DO NOTHING RETURNING true",
                case_id,
                tenant,
                reason,
                actor,
                now,
            )
            if not inserted:
                return False
            event = LegalHoldPlaced(case_id=case_id, reason=reason, placed_at=now)
            await self._record(conn, hold_ref(tenant, case_id), event, new_id(), actor)
        log.warning("legal hold placed", case_id=str(case_id), by=actor)
        return True

    async def lift_hold(self, case_id: UUID, reason: str, actor: str) -> bool:
        """Let the file's disposal go on; False if it was not on hold."""
        tenant = await self._tenant_of(case_id)
        now = datetime.now(UTC)
        async with self.runtime.pool.acquire() as conn, conn.transaction():
            deleted = await conn.fetchval(
                "DELETE FROM archive_legal_holds WHERE case_id = $1 RETURNING true", case_id
            )
            if not deleted:
                return False
            event = LegalHoldLifted(case_id=case_id, reason=reason, lifted_at=now)
            await self._record(conn, hold_ref(tenant, case_id), event, new_id(), actor)
        log.warning("legal hold lifted", case_id=str(case_id), by=actor)
        return True

    async def _tenant_of(self, case_id: UUID) -> str:
        tenant: str | None = await self.runtime.pool.fetchval(
            "SELECT tenant FROM rm_case_records.files WHERE case_id = $1", case_id
        )
        if tenant is None:
            raise FileUnknown(str(case_id))
        return tenant

    # -- 2.–5. with the state archive --------------------------------------------------------

    async def run(self, town: str, actor: str, *, offer: bool) -> DisposalReport:
        """One run for ``town``: files due, (with ``offer``) a new offer of the due ones, and
        every open process moved on as far as the archive's answers allow."""
        report = DisposalReport(town)
        report.expired = await self.expire(self.clock.now())
        async with self.runtime.pool.acquire() as lock:
            # One run per town at a time (the timer, an operator, another replica): the steps
            # talk to the state archive between their transactions.
            key = lock_key(f"archive-disposal:{town}")
            if not await lock.fetchval("SELECT pg_try_advisory_lock($1)", key):
                report.waiting.append("Eine andere Aussonderung dieser Gemeinde läuft gerade.")
                return report
            try:
                await self._run(town, actor, offer, report)
            finally:
                await lock.execute("SELECT pg_advisory_unlock($1)", key)
        return report

    async def _run(self, town: str, actor: str, offer: bool, report: DisposalReport) -> None:
        report.held = [
            r["case_id"]
            for r in await self.runtime.pool.fetch(
                "SELECT h.case_id FROM archive_legal_holds h JOIN archive_disposal_items d"
                " USING (case_id) WHERE h.tenant = $1 AND d.state <> 'destroyed'",
                town,
            )
        ]
        if self.state_archive is None:
            report.waiting.append("Kein Staatsarchiv konfiguriert (ARCHIVE_STATE_ARCHIVE_URL).")
            return
        try:
            if offer:
                await self._offer(town, actor, report)
            for process in await self.runtime.pool.fetch(
                "SELECT process_id, state FROM archive_disposal_processes WHERE tenant = $1"
                " AND state <> 'handed_over' ORDER BY offered_at",
                town,
            ):
                if process["state"] == "offered":
                    await self._appraise(town, process["process_id"], actor, report)
                await self._hand_over(town, process["process_id"], actor, report)
        except StateArchiveUnavailable as exc:
            log.warning("state archive unavailable", town=town, error=str(exc))
            report.waiting.append(f"Staatsarchiv nicht erreichbar: {exc}")
        await self._destroy(town, actor, report)

    async def _offer(self, town: str, actor: str, report: DisposalReport) -> None:
        rows = await self.runtime.pool.fetch(
            "SELECT d.case_id FROM archive_disposal_items d WHERE d.tenant = $1"
            " AND d.state = 'due' AND NOT EXISTS"
            " (SELECT 1 FROM archive_legal_holds h WHERE h.case_id = d.case_id)"
            " ORDER BY d.file_reference",
            town,
        )
        if not rows:
            return
        case_ids = [r["case_id"] for r in rows]
        process_id = derived_id(town, "disposal", *sorted(str(c) for c in case_ids))
        files = [await self._described(case_id, with_documents=False) for case_id in case_ids]
        now = datetime.now(UTC)
        message = xdomea.offer(process_id, await self._town(town), self.archive_party, files, now)
        self.schema.check(message, xdomea.OFFER)
        assert self.state_archive is not None
        receipt = self.schema.check(
            await self.state_archive.offer(process_id, message), xdomea.OFFER_RECEIPT
        )
        if xdomea.process_of(receipt) != process_id:
            raise StateArchiveUnavailable(f"receipt of another process: {receipt!r}")
        async with self.runtime.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO archive_disposal_processes VALUES ($1, $2, 'offered', $3)"
                " ON CONFLICT DO NOTHING",
                process_id,
                town,
                now,
            )
            await conn.execute(
                "UPDATE archive_disposal_items SET state = 'offered', process_id = $2"
                " WHERE case_id = ANY($1::uuid[]) AND state = 'due'",
                case_ids,
                process_id,
            )
            event = DisposalOffered(
                process_id=process_id,
                town=town,
                case_ids=case_ids,
                offer_sha256=hashlib.sha256(message).hexdigest(),
                offered_at=now,
            )
            await self._record(
                conn, process_ref(town, process_id), event, derived_id(process_id, "0501"), actor
            )
        report.offered = case_ids
        log.info("files offered to the state archive", town=town, files=len(case_ids))

    async def _appraise(
        self, town: str, process_id: UUID, actor: str, report: DisposalReport
    ) -> None:
        assert self.state_archive is not None
        answer = await self.state_archive.appraisal(process_id)
        if answer is None:
            report.waiting.append(f"Aussonderung {process_id}: Bewertung des Archivs steht aus.")
            return
        verdicts = xdomea.appraisal(self.schema.check(answer, xdomea.APPRAISAL), process_id)
        offered = {
            r["case_id"]
            for r in await self.runtime.pool.fetch(
                "SELECT case_id FROM archive_disposal_items WHERE process_id = $1"
                " AND state = 'offered'",
                process_id,
            )
        }
        to_archive = sorted(c for c in offered if verdicts.get(c) == "A")
        to_destroy = sorted(c for c in offered if verdicts.get(c) == "V")
        unanswered = offered - set(verdicts)
        now = datetime.now(UTC)
        async with self.runtime.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "UPDATE archive_disposal_items SET state = 'archive' WHERE case_id = ANY($1)",
                to_archive,
            )
            await conn.execute(
                "UPDATE archive_disposal_items SET state = 'destroy' WHERE case_id = ANY($1)",
                to_destroy,
            )
            # Not appraised (the archive must name every offered file): offered again later.
            await conn.execute(
                "UPDATE archive_disposal_items SET state = 'due', process_id = NULL"
                " WHERE case_id = ANY($1)",
                list(unanswered),
            )
            await conn.execute(
                "UPDATE archive_disposal_processes SET state = 'appraised' WHERE process_id = $1",
                process_id,
            )
            event = DisposalAppraised(
                process_id=process_id,
                town=town,
                to_archive=to_archive,
                to_destroy=to_destroy,
                appraisal_sha256=hashlib.sha256(answer).hexdigest(),
                appraised_at=now,
            )
            await self._record(
                conn, process_ref(town, process_id), event, derived_id(process_id, "0502"), actor
            )
        if unanswered:
            log.warning("appraisal left files out", process=str(process_id), files=len(unanswered))
        report.appraised.update({str(c): "A" for c in to_archive})
        report.appraised.update({str(c): "V" for c in to_destroy})

    async def _hand_over(
        self, town: str, process_id: UUID, actor: str, report: DisposalReport
    ) -> None:
        rows = await self.runtime.pool.fetch(
            "SELECT d.case_id FROM archive_disposal_items d WHERE d.process_id = $1"
            " AND d.state = 'archive' AND NOT EXISTS"
            " (SELECT 1 FROM archive_legal_holds h WHERE h.case_id = d.case_id)"
            " ORDER BY d.file_reference",
            process_id,
        )
        if not rows:
            await self._close_if_done(process_id)
            return
        files = [await self._described(r["case_id"], with_documents=True) for r in rows]
        now = datetime.now(UTC)
        package = xdomea.handover(
            process_id, await self._town(town), self.archive_party, files, now
        )
        message, _ = xdomea.handover_message(package)
        self.schema.check(message, xdomea.HANDOVER)
        assert self.state_archive is not None
        answer = await self.state_archive.hand_over(process_id, package)
        results = xdomea.imported(self.schema.check(answer, xdomea.IMPORT_CONFIRMATION), process_id)
        sent = [f.id for f in files]
        imported = [c for c in sent if results.get(c)]
        not_imported = [c for c in sent if not results.get(c)]
        async with self.runtime.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "UPDATE archive_disposal_items SET state = 'handed_over', settled_at = $2"
                " WHERE case_id = ANY($1)",
                imported,
                now,
            )
            event = FilesHandedOver(
                process_id=process_id,
                town=town,
                imported=imported,
                not_imported=not_imported,
                package_sha256=hashlib.sha256(package).hexdigest(),
                documents=sum(len(f.documents) for f in files),
                handed_over_at=now,
            )
            digest = hashlib.sha256(package).hexdigest()
            await self._record(
                conn,
                process_ref(town, process_id),
                event,
                derived_id(process_id, "0503", digest),
                actor,
            )
        if not_imported:
            log.warning("state archive did not import files", files=len(not_imported))
        report.handed_over.extend(imported)
        await self._close_if_done(process_id)

    async def _close_if_done(self, process_id: UUID) -> None:
        await self.runtime.pool.execute(
            "UPDATE archive_disposal_processes SET state = 'handed_over' WHERE process_id = $1"
            " AND state = 'appraised' AND NOT EXISTS (SELECT 1 FROM archive_disposal_items"
            " WHERE process_id = $1 AND state = 'archive')",
            process_id,
        )

    async def _destroy(self, town: str, actor: str, report: DisposalReport) -> None:
        rows = await self.runtime.pool.fetch(
            "SELECT d.case_id, d.file_reference, d.process_id, d.state"
            " FROM archive_disposal_items d WHERE d.tenant = $1"
            " AND d.state IN ('destroy', 'handed_over') AND NOT EXISTS"
            " (SELECT 1 FROM archive_legal_holds h WHERE h.case_id = d.case_id)",
            town,
        )
        for row in rows:
            case_id = row["case_id"]
            documents = len(await self._document_names(case_id))
            handed_over = row["state"] == "handed_over"
            reason = (
                "Aufbewahrungsfrist abgelaufen; an das Staatsarchiv abgegeben"
                if handed_over
                else "Aufbewahrungsfrist abgelaufen; vom Staatsarchiv nicht übernommen"
            )
            await erase_case(self.runtime, case_id, reason, actor)
            now = datetime.now(UTC)
            async with self.runtime.pool.acquire() as conn, conn.transaction():
                updated = await conn.execute(
                    "UPDATE archive_disposal_items SET state = 'destroyed', settled_at = $2"
                    " WHERE case_id = $1 AND state <> 'destroyed'",
                    case_id,
                    now,
                )
                if updated == "UPDATE 0":
                    continue
                event = FileDestroyed(
                    case_id=case_id,
                    file_reference=row["file_reference"],
                    process_id=row["process_id"],
                    handed_over=handed_over,
                    documents_deleted=documents,
                    destroyed_at=now,
                )
                await self._record(
                    conn, item_ref(town, case_id), event, derived_id(case_id, "destroyed"), actor
                )
            report.destroyed.append(case_id)
            log.info("file destroyed", case_id=str(case_id), handed_over=handed_over)

    # -- what the messages say ----------------------------------------------------------------

    async def _town(self, town: str) -> xdomea.Party:
        for member in read_member_files(self.settings.members_dir):
            if member["town"]["ags"] == town:
                return xdomea.Party(town, member["town"]["official_name"])
        return xdomea.Party(town, town)

    async def _described(self, case_id: UUID, *, with_documents: bool) -> xdomea.OfferedFile:
        file = await self.runtime.pool.fetchrow(
            "SELECT f.file_reference, f.filed_at, s.procedure, s.closed_at,"
            " (SELECT min(p.occurred_at) FROM rm_case_records.case_parts p"
            "  WHERE p.case_id = f.case_id) AS began"
            " FROM rm_case_records.files f JOIN rm_case_records.case_status s USING (case_id)"
            " WHERE f.case_id = $1",
            case_id,
        )
        procedure = file["procedure"] or ""
        began = german_date(file["began"] or file["filed_at"])
        ended = german_date(file["closed_at"] or file["filed_at"])
        documents: tuple[xdomea.Document, ...] = ()
        if with_documents:
            documents = (await self._history(case_id, ended), *await self._stored(case_id, ended))
        return xdomea.OfferedFile(
            id=case_id,
            reference=file["file_reference"],
            plan_position=file["file_reference"].split("/", 1)[0],
            subject=_subject(procedure),
            began=began,
            ended=ended,
            documents=documents,
        )

    async def _history(self, case_id: UUID, dated: Any) -> xdomea.Document:
        """The file's event history, personal data opened, as an XML document."""
        root = etree.Element("Verlauf", akte=str(case_id))
        for part in await self.runtime.pool.fetch(
            "SELECT stream, stream_seq, commit FROM rm_case_records.case_parts"
            " WHERE case_id = $1 ORDER BY occurred_at, stream, stream_seq",
            case_id,
        ):
            for envelope in await self.runtime.store.codec.decode(
                bytes(part["commit"]), part["stream_seq"]
            ):
                entry = etree.SubElement(
                    root,
                    "Ereignis",
                    typ=envelope.meta.type,
                    zeitpunkt=envelope.meta.occurred_at.isoformat(),
                    dienst=part["stream"],
                )
                entry.text = json.dumps(
                    envelope.event.model_dump(mode="json"), ensure_ascii=False, sort_keys=True
                )
        content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        return xdomea.Document(
            derived_id(case_id, "history"),
            "Verlauf der Akte (alle Ereignisse)",
            "Verlauf.xml",
            "application/xml",
            bytes(content),
            dated,
        )

    async def _document_names(self, case_id: UUID) -> list[str]:
        return await stored_names(self.runtime, await file_key(self.runtime, case_id))

    async def _stored(self, case_id: UUID, dated: Any) -> list[xdomea.Document]:
        """The file's stored documents (attachments, letters, notices), opened."""
        key_id = await file_key(self.runtime, case_id)
        names = await stored_names(self.runtime, key_id)
        if not names:
            return []
        key = await self.runtime.keys.get(key_id)
        if key is None:
            return []
        documents = []
        for name in names:
            stored = await self.runtime.attachments.get(name)
            filename = name.split("/", 1)[1]
            documents.append(
                xdomea.Document(
                    derived_id(case_id, "document", name),
                    filename,
                    filename.replace("/", "_"),
                    mimetypes.guess_type(filename)[0] or "application/octet-stream",
                    decrypt(stored.data or b"", key, name),
                    dated,
                )
            )
        return documents

    async def _record(
        self,
        conn: asyncpg.Connection,
        ref: AggregateRef,
        event: Any,
        commit_id: UUID,
        actor: str,
    ) -> None:
        await outbox.record(
            conn,
            ref,
            [event],
            commit_id=commit_id,
            cause=Cause(actor=actor, correlation_id=new_id()),
        )


class FileUnknown(LookupError):
    """Archive has filed no such case."""


def _subject(procedure: str) -> str:
    if procedure == "eingangsrechnung":
        return "Eingangsrechnung"
    return procedure_title(procedure) if procedure else "Akte"


async def disposal_list(pool: asyncpg.Pool, town: str) -> list[dict[str, Any]]:
    """A town's disposal list: every file whose retention ended, where it stands, any hold."""
    rows = await pool.fetch(
        "SELECT d.case_id, d.file_reference, d.retain_until, d.expired_at, d.state,"
        " d.process_id, d.settled_at, h.reason AS hold_reason, h.placed_at AS hold_since"
        " FROM archive_disposal_items d LEFT JOIN archive_legal_holds h USING (case_id)"
        " WHERE d.tenant = $1 ORDER BY d.retain_until, d.file_reference",
        town,
    )
    return [dict(row.items()) for row in rows]


async def run_disposal(runtime: Runtime) -> None:
    """Background job: files whose retention ended onto the disposal list, and open disposals
    moved on (the archive's appraisal may take days), now and every ``disposal_seconds``.
    It never offers anything by itself: an offer is an operator's decision."""
    settings = runtime.settings
    assert isinstance(settings, ArchiveSettings)
    disposal = Disposal.of(runtime)
    while True:
        try:
            await disposal.expire(disposal.clock.now())
            if disposal.state_archive is not None:
                for town in await _towns_with_open_processes(runtime.pool):
                    await disposal.run(town, TIMER, offer=False)
        except INFRASTRUCTURE_ERRORS as exc:
            log.warning("disposal waits for the database", error=describe_error(exc))
        await asyncio.sleep(settings.disposal_seconds)


async def _towns_with_open_processes(pool: asyncpg.Pool) -> Sequence[str]:
    rows = await pool.fetch(
        "SELECT DISTINCT tenant FROM archive_disposal_processes WHERE state <> 'handed_over'"
        " UNION SELECT DISTINCT tenant FROM archive_disposal_items"
        " WHERE state IN ('destroy', 'handed_over')"
    )
    return [r["tenant"] for r in rows]
