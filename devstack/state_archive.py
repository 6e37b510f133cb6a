"""A local state archive that receives disposals as a real one does, in xdomea 3.0.0.

It speaks the wire format of ``services/archive/state_archive.py``: an offer (0501) is
checked against the schema and answered with its receipt (0504); its appraisal (0502) is
ready at once — ``A`` (archivwürdig) for files whose plan position the simulator keeps
(``archival_positions``; by default the trade register's, 32.10.*), ``V`` for the rest; a
handover (0503, the ZIP with the message and the documents) is checked — schema, the
process, every file appraised ``A``, every document named in the message present — and
answered with the import confirmation (0506). A message that fails a check gets a 400 with
the reason, as a real archive would refuse it.

Tests drive it in-process (``StateArchiveSimulator(...).start()``) and read what arrived
(``offers``, ``handovers``). Standalone: ``python -m devstack.state_archive [--port 8097]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import uvicorn
from fastapi import FastAPI, Request, Response

from devstack.embedded import free_port
from devstack.threaded_server import ThreadedServer
from services.archive.domain import xdomea

DEFAULT_PORT = 8097
ARCHIVE = xdomea.Party("StA-SN", "Sächsisches Staatsarchiv")


def trade_register(position: str) -> bool:
    """The default appraisal: the state archive keeps the trade register's files."""
    return position.startswith("32.10.")


@dataclass
class Handover:
    """A handover as it arrived: the message and the documents by file name."""

    process_id: UUID
    message: bytes
    documents: dict[str, bytes]


@dataclass
class StateArchiveSimulator:
    """The state archive, in a thread of this process."""

    schema_dir: Path
    archival_positions: Callable[[str], bool] = trade_register
    port: int = 0
    host: str = "127.0.0.1"
    offers: dict[UUID, bytes] = field(default_factory=dict)
    appraisals: dict[UUID, dict[UUID, str]] = field(default_factory=dict)
    handovers: list[Handover] = field(default_factory=list)
    _server: ThreadedServer | None = None

    @property
    def url(self) -> str:
        """Where the simulator is reached."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> StateArchiveSimulator:
        """Serve in a thread of this process; returns once it accepts requests."""
        self.port = self.port or free_port()
        server = ThreadedServer(app(self), self.host, self.port, "state archive simulator")
        self._server = server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.stop()


def app(archive: StateArchiveSimulator) -> FastAPI:
    """The simulator's HTTP side."""
    schema = xdomea.Schema(archive.schema_dir)
    api = FastAPI(title="Staatsarchiv (Simulator)")

    def refused(reason: str) -> Response:
        return Response(reason, status_code=400, media_type="text/plain; charset=utf-8")

    def xml(content: bytes) -> Response:
        return Response(content, media_type="application/xml")

    @api.post("/aussonderungen/{process_id}/0501")
    async def offer(process_id: UUID, request: Request) -> Response:
        body = await request.body()
        try:
            root = schema.check(body, xdomea.OFFER)
        except xdomea.XdomeaError as exc:
            return refused(str(exc))
        if xdomea.process_of(root) != process_id:
            return refused("ProzessID der Nachricht passt nicht zur Adresse")
        archive.offers[process_id] = body
        positions = {
            UUID(akte.findtext(f"{{{xdomea.NS}}}Identifikation/{{{xdomea.NS}}}ID")): (
                akte.findtext(
                    f"{{{xdomea.NS}}}AllgemeineMetadaten/{{{xdomea.NS}}}Aktenplaneinheit/"
                    f"{{{xdomea.NS}}}Kennzeichen"
                )
                or ""
            )
            for akte in root.iterfind(f"{{{xdomea.NS}}}Schriftgutobjekt/{{{xdomea.NS}}}Akte")
        }
        archive.appraisals[process_id] = {
            file_id: "A" if archive.archival_positions(position) else "V"
            for file_id, position in positions.items()
        }
        return xml(xdomea.answer(xdomea.OFFER_RECEIPT, process_id, ARCHIVE, _sender(root), _now()))

    @api.get("/aussonderungen/{process_id}/0502")
    async def appraisal(process_id: UUID) -> Response:
        if process_id not in archive.appraisals:
            return Response("Keine Anbietung zu diesem Prozess.", status_code=404)
        root = xdomea.parse(archive.offers[process_id])
        verdicts = archive.appraisals[process_id]
        return xml(
            xdomea.answer(
                xdomea.APPRAISAL, process_id, ARCHIVE, _sender(root), _now(), dict(verdicts)
            )
        )

    @api.post("/aussonderungen/{process_id}/0503")
    async def handover(process_id: UUID, request: Request) -> Response:
        try:
            message, documents = xdomea.handover_message(await request.body())
            root = schema.check(message, xdomea.HANDOVER)
        except xdomea.XdomeaError as exc:
            return refused(str(exc))
        verdicts = archive.appraisals.get(process_id)
        if verdicts is None or xdomea.process_of(root) != process_id:
            return refused("Zu diesem Prozess gibt es keine Bewertung.")
        named = root.xpath("//x:Primaerdokument/x:Dateiname/text()", namespaces={"x": xdomea.NS})
        missing = sorted(set(named) - set(documents))
        if missing:
            return refused(f"Dokumente fehlen im Paket: {', '.join(missing)}")
        files = xdomea.offered_ids(root)
        archive.handovers.append(Handover(process_id, message, documents))
        results = {file_id: verdicts.get(file_id) == "A" for file_id in files}
        return xml(
            xdomea.answer(
                xdomea.IMPORT_CONFIRMATION, process_id, ARCHIVE, _sender(root), _now(), results
            )
        )

    return api


def _sender(root: object) -> xdomea.Party:
    key = root.findtext(  # type: ignore[attr-defined]
        f"{{{xdomea.NS}}}Kopf/{{{xdomea.NS}}}Absender/{{{xdomea.NS}}}Behoerdenkennung/"
        f"{{{xdomea.NS}}}Behoerdenschluessel/code"
    )
    name = root.findtext(  # type: ignore[attr-defined]
        f"{{{xdomea.NS}}}Kopf/{{{xdomea.NS}}}Absender/{{{xdomea.NS}}}Institution/"
        f"{{{xdomea.NS}}}Name"
    )
    return xdomea.Party(key or "unbekannt", name or "unbekannt")


def _now() -> datetime:
    return datetime.now(UTC)


def main(argv: list[str] | None = None) -> int:
    """Serve the simulator standalone."""
    from services.archive.disposal import schema_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    options = parser.parse_args(argv)
    simulator = StateArchiveSimulator(schema_dir(), port=options.port)
    uvicorn.run(app(simulator), host=simulator.host, port=options.port, log_level="info")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
