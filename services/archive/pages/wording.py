"""How a filed case reads at the clerks' desk — pure: a ``FileView`` in, what the page shows out.

The applicant's page (``inspection_page``) speaks to the applicant („Sie selbst“); this one
speaks about them, to a clerk, and adds what a clerk checks: the record against the log, the
file's link in its town's chain, and the addenda filed after it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote
from uuid import UUID

from services.archive.domain.addenda import addenda as listed_addenda
from services.archive.inspection import Access, Document, FileView
from services.archive.inspection_page import what

FILES_PATH = "/desk/akten"


def file_path(case_id: UUID | str) -> str:
    """The file's page at the desk."""
    return f"{FILES_PATH}/{case_id}"


def document_path(case_id: UUID | str, filename: str) -> str:
    """Where the desk gives a document of the file (the name as one path segment)."""
    return f"{file_path(case_id)}/dokumente/{quote(filename, safe='')}"


def who_looked(access: Access, town_name: Callable[[str], str]) -> str:
    """``die Antragstellerin/der Antragsteller (über den persönlichen Link)`` or
    ``Erika Muster, Sachbearbeitung, Augustusburg``."""
    if access.clerk is None:
        return "die Antragstellerin/der Antragsteller (über den persönlichen Link)"
    return f"{access.clerk.name}, Sachbearbeitung, {town_name(access.clerk.town)}"


@dataclass(frozen=True)
class Check:
    """One line of the file's check: what was checked, whether it holds, in words."""

    label: str
    passed: bool
    text: str


def checks(report: Mapping[str, Any] | None) -> list[Check]:
    """The verification's findings, each a sentence (none: the file could not be checked)."""
    if not report:
        return [Check("Prüfung", False, "Die Akte konnte nicht geprüft werden.")]
    addenda = report.get("addenda") or {}
    count = int(addenda.get("count", 0))
    missing = ", ".join(report.get("missing_parts") or [])
    return [
        Check(
            "Inhalt",
            bool(report.get("record_matches_log")),
            "stimmt mit dem Ereignisprotokoll überein"
            if report.get("record_matches_log")
            else "stimmt nicht mit dem Ereignisprotokoll überein"
            + (f" (es fehlen {missing})" if missing else ""),
        ),
        Check(
            "Kette der Gemeinde",
            bool(report.get("chain_intact")),
            f"Glied {report.get('position')} ist unversehrt verkettet"
            if report.get("chain_intact")
            else f"Glied {report.get('position')} ist nicht richtig verkettet",
        ),
        Check(
            "Nachträge",
            bool(addenda.get("valid", True)),
            ("keine" if count == 0 else f"{count}, lückenlos und unverändert")
            if addenda.get("valid", True)
            else "; ".join(addenda.get("problems") or ["fehlerhaft"]),
        ),
    ]


@dataclass(frozen=True)
class AccessLine:
    """One line of the access log: when, who, what."""

    at: datetime
    who: str
    what: str


def file_context(view: FileView, town_name: Callable[[str], str]) -> dict[str, Any]:
    """What ``akte.html`` shows of the file."""
    report = view.verification
    return {
        "view": view,
        "town": town_name(view.tenant),
        "documents": [
            (document, document_path(view.case_id, document.filename))
            for document in view.documents
        ],
        "checks": checks(report),
        "intact": view.intact,
        "addenda": listed_addenda(report),
        "accesses": [
            AccessLine(access.at, who_looked(access, town_name), what(access))
            for access in sorted(view.accesses, key=lambda a: a.at, reverse=True)
        ],
    }


def document_label(document: Document) -> str:
    """``Bescheid: bescheid.pdf`` — what the download link says."""
    return f"{document.kind}: {document.filename}"
