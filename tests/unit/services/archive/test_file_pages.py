"""The clerks' e-file at the desk, pure: the search term, which found files a clerk sees, how
the file reads (check, addenda, access log), and both templates rendered and escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from uuid import UUID

import pytest

from contracts.events.casework import Clerk
from runtime.auth import Identity
from runtime.desk.pages import Pages
from runtime.desk.sealing import CookieSeal
from runtime.desk.session import Cookies
from services.archive.domain.addenda import addendum_text
from services.archive.domain.inspection import (
    FiledCase,
    Inspector,
    as_case_id,
    search_term,
    visible_to,
)
from services.archive.inspection import Access, FileView
from services.archive.pages import TEMPLATES, add_filters
from services.archive.pages.wording import (
    checks,
    document_path,
    file_context,
    who_looked,
)
from tests.unit.services.archive.test_inspection_page import view as file_view

CASE = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
OTHER = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f11")
FILED = datetime(2026, 11, 22, 7, 58, tzinfo=UTC)
WURZEN, AUGUSTUSBURG, THALLWITZ = "14729410", "14522020", "14729380"
TOWNS = {WURZEN: "Wurzen", AUGUSTUSBURG: "Augustusburg", THALLWITZ: "Thallwitz"}
HOSTILE = '<script>alert("x")</script>'
REPORT: dict[str, Any] = {
    "record_matches_log": True,
    "chain_intact": True,
    "missing_parts": [],
    "valid": True,
    "position": 17,
    "addenda": {
        "count": 2,
        "valid": True,
        "problems": [],
        "items": [
            {
                "number": 1,
                "event_types": ["notify.MessageDelivered", "notify.MessageDelivered"],
                "filed_at": "2026-11-22T08:10:00+00:00",
            },
            {
                "number": 2,
                "event_types": ["billing.PaymentBooked", "billing.SomethingNew"],
                "filed_at": "2026-11-23T09:00:00+00:00",
            },
        ],
    },
}


def clerk(*towns: str, procedures: tuple[str, ...] = ("*",)) -> Inspector:
    return Inspector("w@x", "Wenzel Wurzner", ("clerk",), towns, procedures)


def filed(case_id: UUID, *entitled: str, procedure: str = "gewerbeanmeldung") -> FiledCase:
    return FiledCase(
        case_id=case_id,
        tenant=entitled[0],
        file_reference="32.10.01/2026/00017",
        case_number="WUR-2026-000017",
        procedure=procedure,
        filed_at=FILED,
        entitled_towns=entitled,
    )


@pytest.mark.parametrize(
    ("typed", "term"),
    [
        ("  WUR-2026-000017 ", "WUR-2026-000017"),
        ("32.10.01/2026/00017", "32.10.01/2026/00017"),
        ("a  b\tc", "a b c"),
        ("", None),
        ("   ", None),
        ("x" * 101, None),
    ],
)
def test_a_search_term_is_what_was_typed_trimmed_and_not_overlong(
    typed: str, term: str | None
) -> None:
    assert search_term(typed) == term


def test_a_case_id_is_recognised_and_anything_else_is_not() -> None:
    assert as_case_id(str(CASE)) == CASE
    assert as_case_id("WUR-2026-000017") is None
    assert as_case_id("0") is None


def test_a_search_lists_only_files_the_clerk_s_town_may_read() -> None:
    found = [
        filed(CASE, WURZEN, AUGUSTUSBURG),
        filed(OTHER, THALLWITZ),
        filed(UUID(int=3), WURZEN, procedure="hundesteuer-anmeldung"),
    ]
    assert visible_to(clerk(WURZEN), found) == [found[0], found[2]]
    assert visible_to(clerk(AUGUSTUSBURG), found) == [found[0]]
    assert visible_to(clerk(THALLWITZ), found) == [found[1]]
    only_trade = clerk(WURZEN, procedures=("gewerbeanmeldung",))
    assert visible_to(only_trade, found) == [found[0]]
    operator = Inspector("b", "Bea Betrieb", ("operator",), (WURZEN,), ("*",))
    assert visible_to(operator, found) == []


def test_the_access_log_names_the_clerk_and_their_town_or_the_applicant() -> None:
    erika = Access("clerk", Clerk(id="e", name="Erika Muster", town=AUGUSTUSBURG), "file", FILED)
    applicant = Access("applicant", None, "file", FILED)
    town = TOWNS.__getitem__
    assert who_looked(erika, town) == "Erika Muster, Sachbearbeitung, Augustusburg"
    assert who_looked(applicant, town) == (
        "die Antragstellerin/der Antragsteller (über den persönlichen Link)"
    )


def test_an_addendum_says_what_came_once_per_kind_and_names_what_it_does_not_know() -> None:
    assert addendum_text(["notify.MessageDelivered", "notify.MessageDelivered"]) == (
        "Nachricht zugestellt"
    )
    assert addendum_text(["billing.PaymentBooked", "billing.SomethingNew"]) == (
        "Zahlung gebucht; billing.SomethingNew"
    )
    assert addendum_text([]) == "ohne Inhalt"


def test_the_check_reads_as_sentences_and_names_what_failed() -> None:
    fine = checks(REPORT)
    assert [(c.label, c.passed) for c in fine] == [
        ("Inhalt", True),
        ("Kette der Gemeinde", True),
        ("Nachträge", True),
    ]
    assert fine[1].text == "Glied 17 ist unversehrt verkettet"
    assert fine[2].text == "2, lückenlos und unverändert"
    broken = checks(
        {
            **REPORT,
            "record_matches_log": False,
            "missing_parts": ["casework#4"],
            "addenda": {"count": 1, "valid": False, "problems": ["addendum 1 is not linked"]},
        }
    )
    assert [c.passed for c in broken] == [False, True, False]
    assert "es fehlen casework#4" in broken[0].text
    assert broken[2].text == "addendum 1 is not linked"
    assert [c.passed for c in checks(None)] == [False]


def test_a_document_s_address_keeps_its_name_in_one_segment() -> None:
    assert document_path(CASE, "Bescheid März/1.pdf") == (
        f"/desk/akten/{CASE}/dokumente/Bescheid%20M%C3%A4rz%2F1.pdf"
    )


def view(**changes: Any) -> FileView:
    """The applicant page's test file, as the desk sees it: with its case number, its check
    and a clerk's later look."""
    values: dict[str, Any] = {
        "accesses": [
            Access("applicant", None, "file", FILED),
            Access(
                "clerk",
                Clerk(id="e", name="Erika Muster", town=AUGUSTUSBURG),
                "Bescheid März.pdf",
                datetime(2026, 11, 23, tzinfo=UTC),
            ),
        ],
        "case_number": "WUR-2026-000017",
        "verification": REPORT,
    }
    return file_view(**{**values, **changes})


class Page(HTMLParser):
    """A rendered page's elements by id, its links and its text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: dict[str, dict[str, str | None]] = {}
        self.links: list[dict[str, str | None]] = []
        self.text = html
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            assert found["id"] not in self.ids, f"id {found['id']} twice"
            self.ids[str(found["id"])] = found
        if tag == "a":
            self.links.append(found)


def render(template: str, context: dict[str, Any], errors: list[Any] | None = None) -> Page:
    pages = Pages("archive", TEMPLATES, {}, TOWNS, CookieSeal(b"k" * 32), Cookies(False))
    add_filters(pages)
    user = Identity("w", "Wenzel Wurzner", frozenset({"clerk"}), (WURZEN,), ("*",))
    base: dict[str, Any] = {
        "request": None,
        "user": user,
        "csrf_token": "t",
        "navigation": [],
        "stylesheet": "",
    }
    values = {**base, "flash": None, "errors": errors or [], **context}
    return Page(pages.environment.get_template(template).render(values))


def test_the_file_page_shows_record_documents_check_addenda_and_who_looked() -> None:
    page = render("akte.html", file_context(view(), TOWNS.__getitem__))
    assert "Akte 32.10.01/2026/00017" in page.text
    assert "vorgangsnummer" in page.ids
    assert ">WUR-2026-000017</dd>" in page.text
    assert "&lt;script&gt;" in page.text
    assert HOSTILE not in page.text
    [download] = [a for a in page.links if (a.get("href") or "").startswith(f"/desk/akten/{CASE}/")]
    assert download["href"] == f"/desk/akten/{CASE}/dokumente/Bescheid%20M%C3%A4rz.pdf"
    assert "download" in download
    assert "22.11.2026, 08:58 Uhr" in page.text  # German time
    assert "47 KB" in page.text
    assert "in Ordnung: Glied 17 ist unversehrt verkettet" in page.text
    assert "Zahlung gebucht; billing.SomethingNew" in page.text
    log = page.text.split('id="zugriffsliste"', 1)[1]
    newest, oldest = (
        log.index("Erika Muster, Sachbearbeitung, Augustusburg"),
        log.index("die Antragstellerin/der Antragsteller"),
    )
    assert newest < oldest  # the newest look first
    assert "das Dokument „Bescheid März.pdf“" in log


def test_an_erased_or_broken_file_says_so_and_offers_no_document() -> None:
    report = {**REPORT, "chain_intact": False, "valid": False}
    page = render(
        "akte.html",
        file_context(
            view(erased=True, documents=[], intact=False, verification=report),
            TOWNS.__getitem__,
        ),
    )
    assert "geloescht" in page.ids
    assert "keine-dokumente" in page.ids
    assert "Die Prüfung ist fehlgeschlagen" in page.text
    assert "Fehler:</strong> Glied 17 ist nicht richtig verkettet" in page.text
    assert not [a for a in page.links if "/dokumente/" in (a.get("href") or "")]


def test_the_search_lists_what_was_found_or_says_plainly_that_nothing_was() -> None:
    found = [filed(CASE, WURZEN)]
    listed = render("akten.html", {"asked": "WUR", "searched": True, "term": "WUR", "files": found})
    assert f"akte-{CASE}" in listed.ids
    assert {"href": f"/desk/akten/{CASE}"} in listed.links
    assert "Gewerbeanmeldung" in listed.text
    assert "Wurzen" in listed.text
    none = render("akten.html", {"asked": HOSTILE, "searched": True, "term": HOSTILE, "files": []})
    assert "keine-akte" in none.ids
    assert HOSTILE not in none.text
    assert "wurde keine Akte gefunden" in none.text
    empty = render("akten.html", {"asked": "", "searched": False, "files": []})
    assert "keine-akte" not in empty.ids
    assert "ergebnis" not in empty.ids
    refused = render(
        "akten.html",
        {"asked": "x" * 101, "searched": False, "files": []},
        errors=[("suche", "Bitte geben Sie eine Vorgangsnummer ein.")],
    )
    assert refused.ids["suche"]["aria-invalid"] == "true"
    assert refused.ids["suche"]["aria-describedby"] == "suche-hinweis suche-fehler"
