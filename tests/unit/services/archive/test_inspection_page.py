"""The applicant's inspection page as HTML: German, escaped, the access log, the documents."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, date, datetime
from uuid import UUID

from contracts.events.casework import Clerk
from services.archive.domain.inspection import Entry
from services.archive.inspection import Access, Document, FileView
from services.archive.inspection_page import (
    HEADERS,
    STYLE,
    document_url,
    file_page_html,
    not_found_page,
    size_text,
)

CASE = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
FILED = datetime(2026, 11, 22, 7, 58, tzinfo=UTC)
TOKEN = "0123456789abcdef0123456789abcdef"
HOSTILE = '<script>alert("x")</script>'
WURZEN, AUGUSTUSBURG = "14729410", "14522020"
TOWNS = {WURZEN: "Wurzen", AUGUSTUSBURG: "Augustusburg"}


def view(**changes: object) -> FileView:
    values: dict[str, object] = {
        "case_id": CASE,
        "tenant": WURZEN,
        "procedure": "gewerbeanmeldung",
        "procedure_title": "Gewerbeanmeldung",
        "file_reference": "32.10.01/2026/00017",
        "filed_at": FILED,
        "retain_until": date(2036, 12, 31),
        "intact": True,
        "erased": False,
        "tracking_digest": None,
        "entitled_towns": [WURZEN],
        "entries": [Entry(FILED, "Antrag eingereicht"), Entry(FILED, HOSTILE)],
        "documents": [
            Document(
                filename="Bescheid März.pdf",
                kind="Bescheid",
                object_name=f"{CASE}/Bescheid März.pdf",
                content_type="application/pdf",
                size=48_000,
                sha256="0" * 64,
                issued_at=FILED,
            )
        ],
        "accesses": [
            Access("clerk", Clerk(id="e", name="Erika Muster", town=AUGUSTUSBURG), "file", FILED),
            Access("applicant", None, "Bescheid März.pdf", FILED),
        ],
    }
    values.update(changes)
    return FileView(**values)  # type: ignore[arg-type]


def test_the_page_is_german_and_lists_the_file_its_documents_and_its_accesses() -> None:
    page = file_page_html(view(), TOKEN, TOWNS)

    assert page.startswith('<!DOCTYPE html><html lang="de">')
    assert "<h1>Ihre Akte</h1>" in page
    assert "<dd>32.10.01/2026/00017</dd>" in page
    assert "<dd>Wurzen</dd>" in page
    assert "22.11.2026, 08:58 Uhr" in page  # German time
    assert "<dd>31.12.2036</dd>" in page
    assert "geprüft: unverändert seit der Ablage" in page
    assert "Wer hat Ihre Akte eingesehen" in page
    assert "Erika Muster, Sachbearbeitung, Augustusburg" in page
    assert "Sie selbst (über Ihren Link)" in page
    assert "das Dokument „Bescheid März.pdf“" in page
    assert "<td>die Akte</td>" in page
    assert f'href="{document_url(CASE, "Bescheid März.pdf", TOKEN)}"' in page
    assert "/dokumente/Bescheid%20M%C3%A4rz.pdf?token=" in page


def test_what_came_after_the_filing_is_listed_as_numbered_addenda() -> None:
    report = {
        "addenda": {
            "count": 2,
            "valid": True,
            "items": [
                {
                    "number": 1,
                    "event_types": ["notify.MessageDelivered", "notify.MessageDelivered"],
                    "filed_at": "2026-11-22T08:00:00+00:00",
                },
                {
                    "number": 2,
                    "event_types": ["billing.PaymentBooked"],
                    "filed_at": "2026-11-25T10:30:00+00:00",
                },
            ],
        }
    }
    page = file_page_html(view(verification=report), TOKEN, TOWNS)
    none = file_page_html(view(), TOKEN, TOWNS)

    assert '<h2 id="nachtraege">Nachträge</h2>' in page
    assert "<span>Nachtrag 1: Nachricht zugestellt</span>" in page
    assert "<span>Nachtrag 2: Zahlung gebucht</span>" in page
    assert "25.11.2026, 11:30 Uhr" in page
    assert "Seit der Ablage ist nichts hinzugekommen." in none


def test_everything_shown_is_escaped() -> None:
    page = file_page_html(view(file_reference=HOSTILE), 'x"><b>', TOWNS)

    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert 'x"><b>' not in page


def test_an_erased_case_says_so_and_offers_no_documents() -> None:
    page = file_page_html(view(erased=True, documents=[]), TOKEN, TOWNS)

    assert "Ihre persönlichen Daten in diesem Vorgang sind gelöscht" in page
    assert "keine Dokumente" in page
    assert "/dokumente/" not in page


def test_a_failed_check_is_not_hidden() -> None:
    page = file_page_html(view(intact=False), TOKEN, TOWNS)

    assert "Die Prüfung ist fehlgeschlagen" in page


def test_an_unknown_town_is_named_by_its_key() -> None:
    page = file_page_html(view(), TOKEN, {})

    assert "Erika Muster, Sachbearbeitung, Gemeinde 14522020" in page


def test_the_not_found_page_says_nothing_about_the_case() -> None:
    page = not_found_page()

    assert "Akte nicht gefunden" in page
    assert str(CASE) not in page


def test_the_inline_style_is_the_one_the_policy_allows_and_nothing_is_passed_on() -> None:
    digest = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
    policy = HEADERS["Content-Security-Policy"]

    assert f"'sha256-{digest}'" in policy
    assert re.search(r"default-src 'none'", policy)
    assert HEADERS["Referrer-Policy"] == "no-referrer"
    assert HEADERS["Cache-Control"] == "no-store"


def test_sizes_read_as_people_read_them() -> None:
    assert size_text(48_000) == "47 KB"
    assert size_text(10) == "1 KB"
    assert size_text(1_300_000) == "1,2 MB"
