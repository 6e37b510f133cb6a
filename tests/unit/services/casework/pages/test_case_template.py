"""The case page's template over a case's whole life, from its events — for the clerk holding
it, a supervisor, a colleague, and as it was: every part renders, and offers exactly the
forms the state and the role allow. (The browser tests walk one path; this walks them all.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from uuid import UUID

from contracts.base import DomainEvent
from contracts.envelope import EventMeta
from contracts.events.casework import (
    CaseClaimed,
    CaseClosed,
    CaseDecided,
    CaseOpened,
    CaseReferredToClerk,
    Clerk,
    DecisionDispatched,
    DecisionDocumentIssued,
    DocumentRef,
    FeeBasis,
    HeardBody,
    HearingAnswered,
    HearingRequested,
    InformationRequested,
    RuleOutcome,
    StatusReported,
    TownCaseworkConfigured,
)
from contracts.events.intake import ApplicationSubmitted, AttachmentRef, InformationProvided
from contracts.values import Contact
from runtime.auth import Identity
from runtime.codec import Envelope
from runtime.desk.pages import Pages
from runtime.desk.sealing import CookieSeal
from runtime.desk.session import Cookies
from services.casework import case_view
from services.casework.case_view import CaseView
from services.casework.pages import TEMPLATES, add_filters
from services.casework.pages.case_page import archive_file_url, case_context
from tests.support.applications import example

CASE = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
HEARING = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f20")
REQUEST = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f30")
WURZEN, AUGUSTUSBURG = "14729410", "14522020"
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
WENZEL = Clerk(id="wenzel", name="Wenzel Wurzner", town=WURZEN)
TOWNS = {WURZEN: "Wurzen", AUGUSTUSBURG: "Augustusburg"}
CONFIG = TownCaseworkConfigured(
    ags=WURZEN, bodies={"polizei": HeardBody(name="Polizeirevier", email="p@example.org")}
)
SHA = "0" * 64


def attachment(name: str, kind: str) -> AttachmentRef:
    return AttachmentRef(
        attachment_id=name, filename=name, content_type=kind, size=2048, sha256=SHA
    )


def envelopes(*events: DomainEvent) -> list[Envelope[DomainEvent]]:
    """The events one minute apart, as the log holds them."""
    return [
        Envelope(
            meta=EventMeta(
                event_id=UUID(int=n + 1),
                type=event.type_name,
                version=event.version,
                tenant=WURZEN,
                aggregate_type=event.aggregate_type,
                aggregate_id=str(CASE),
                occurred_at=START + timedelta(minutes=n),
                actor="clerk:wenzel@14729410",
                correlation_id=CASE,
            ),
            event=event,
        )
        for n, event in enumerate(events)
    ]


def application() -> ApplicationSubmitted:
    body = example("sondernutzungserlaubnis")
    return ApplicationSubmitted(
        application_id=CASE,
        procedure="sondernutzungserlaubnis",
        form_version=1,
        submitted_at=START,
        contact=Contact(name="Hedwig Quirinus", email="hq@example.org"),
        form=body["form"],
        attachments=[
            attachment("plan.pdf", "application/pdf"),
            attachment("foto.jpg", "image/jpeg"),
            attachment("liste.docx", "application/octet-stream"),
        ],
        case_number="WUR-2026-000042",
    )


LIFE: list[DomainEvent] = [
    CaseOpened(
        case_id=CASE,
        application_id=CASE,
        procedure="sondernutzungserlaubnis",
        competent_town=WURZEN,
        processing_towns=[WURZEN, AUGUSTUSBURG],
        opened_at=START,
        case_number="WUR-2026-000042",
        deadline=date(2026, 12, 29),
    ),
    CaseReferredToClerk(
        case_id=CASE,
        queue="sondernutzungserlaubnis",
        rule_outcomes=[RuleOutcome(rule="area_is_public", passed=False, reason="Privatgrund?")],
    ),
    CaseClaimed(case_id=CASE, clerk=WENZEL, claimed_at=START),
    InformationRequested(
        case_id=CASE,
        request_id=REQUEST,
        question="Lageplan?",
        due=date(2026, 12, 14),
        by=WENZEL,
        requested_at=START,
    ),
    HearingRequested(
        case_id=CASE,
        hearing_id=HEARING,
        body="polizei",
        body_name="Polizeirevier",
        body_email="p@example.org",
        subject="Gerüst",
        due=date(2026, 12, 14),
        by=WENZEL,
        requested_at=START,
    ),
    StatusReported(case_id=CASE, status="in_bearbeitung", note="", by=WENZEL, reported_at=START),
]
ANSWERS: list[DomainEvent] = [
    InformationProvided(
        application_id=CASE,
        request_id=REQUEST,
        answer="Anbei.",
        provided_at=START,
        attachments=[attachment("lageplan.pdf", "application/pdf")],
    ),
    HearingAnswered(
        case_id=CASE,
        hearing_id=HEARING,
        verdict="zustimmung_mit_auflagen",
        statement="Gut.",
        conditions=["Gehweg frei halten"],
        recorded_by="body:polizei",
        answered_at=START,
    ),
]
DECIDED: list[DomainEvent] = [
    CaseDecided(
        case_id=CASE,
        procedure="sondernutzungserlaubnis",
        outcome="approved",
        decided_by="clerk:wenzel@14729410",
        on_behalf_of=WURZEN,
        rule_outcomes=[],
        conditions=["Gehweg frei halten"],
        decided_at=START,
        clerk=WENZEL,
        fee=FeeBasis(area_m2=Decimal("12.5"), days=14),
    ),
    CaseClosed(case_id=CASE, closed_at=START),
    DecisionDocumentIssued(
        case_id=CASE,
        document=DocumentRef(
            object_name=f"{CASE}/bescheid.pdf",
            filename="bescheid.pdf",
            content_type="application/pdf",
            size=1,
            sha256=SHA,
        ),
        issued_at=START,
    ),
    DecisionDispatched(case_id=CASE, dispatched_at=START, known_on=date(2026, 12, 3)),
]


class Page(HTMLParser):
    """What a rendered page holds: its forms' actions, elements by id, the text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.actions: list[str] = []
        self.ids: dict[str, dict[str, str | None]] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.text = html

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        action = found.get("action") or ""
        if tag == "form" and found.get("method") == "post" and action.startswith("/desk/vorg"):
            self.actions.append(action.rsplit("/", 1)[-1])  # the header's sign-out left out
        if found.get("id"):
            assert found["id"] not in self.ids, f"id {found['id']} twice"
            self.ids[str(found["id"])] = found


def render(view: CaseView, who: Identity, *, past: bool = False, **extra: Any) -> Page:
    pages = Pages("casework", TEMPLATES, {}, TOWNS, CookieSeal(b"k" * 32), Cookies(False))
    add_filters(pages)
    clerks = [{"id": "anton", "name": "Anton Augst", "town": AUGUSTUSBURG}]
    context = case_context(who, view, past=past, config=CONFIG, clerks=clerks, towns=TOWNS)
    base: dict[str, Any] = {
        "request": None,
        "user": who,
        "csrf_token": "t",
        "navigation": [],
        "stylesheet": "",
    }
    values = {**base, "flash": None, "errors": [], "entered": {}, **context, **extra}
    return Page(pages.environment.get_template("vorgang.html").render(values))


def view_of(*events: DomainEvent, as_of: datetime | None = None) -> CaseView:
    case_events = [e for e in envelopes(application(), *events) if e.event.aggregate_type == "case"]
    intake = [e for e in envelopes(application(), *events) if e.event.aggregate_type != "case"]
    return case_view.build(CASE, case_events, intake, as_of)


def person(subject: str, *roles: str, town: str = WURZEN) -> Identity:
    return Identity(subject, subject.title(), frozenset(roles), towns=(town,), procedures=("*",))


def test_the_holder_gets_every_form_a_case_in_work_offers() -> None:
    page = render(view_of(*LIFE), person("wenzel", "clerk"))
    assert page.actions == [
        "zurueckgeben",
        "ueberstimmen",
        "rueckfrage",
        "antwort",
        "anhoerungen",
        "entscheiden",
    ]  # no status report: only a defect report has one
    view = view_of(*LIFE)
    versions = [a["value"] for t, a in page.tags if t == "input" and a.get("name") == "version"]
    assert versions == [str(view.state.version)] * len(page.actions)
    frames = [a.get("src") for t, a in page.tags if t == "iframe"]
    assert frames == [f"/desk/vorgaenge/{CASE}/dateien/plan.pdf"]
    # A PDF loads only when the clerk opens its preview: a loaded one takes the focus.
    assert page.text.count("Vorschau anzeigen") == 1
    images = [a.get("alt") for t, a in page.tags if t == "img"]
    assert images == ["Anlage foto.jpg"]
    assert f"/desk/vorgaenge/{CASE}/dateien/liste.docx" in page.text
    assert {"entscheidung-gebuehr-flaeche", "entscheidung-gebuehr-tage"} <= page.ids.keys()
    assert "entscheidung-gebuehr-betrag" not in page.ids
    assert "Nicht erfüllt" in page.text
    assert "Sondernutzungserlaubnis" in page.text


def test_answers_prefill_the_decisions_conditions_and_show_the_answer_files() -> None:
    page = render(view_of(*LIFE, *ANSWERS), person("wenzel", "clerk"))
    assert "antwort" not in page.actions  # the body has answered
    assert ">Gehweg frei halten</textarea>" in page.text
    assert f"/desk/vorgaenge/{CASE}/dateien/lageplan.pdf" in page.text
    assert "Zustimmung mit Auflagen" in page.text


def test_a_colleague_may_only_record_answers_and_a_supervisor_also_reassign_and_move() -> None:
    colleague = render(view_of(*LIFE), person("anton", "clerk", town=AUGUSTUSBURG))
    assert colleague.actions == ["antwort"]
    assert "Übernehmen Sie den Vorgang" in colleague.text
    lead = render(view_of(*LIFE), person("leonie", "clerk", "supervisor"))
    assert lead.actions == ["zurueckgeben", "antwort", "zuweisen", "verschieben"]
    assert "Anton Augst (Augustusburg)" in lead.text
    other_lead = render(view_of(*LIFE), person("greta", "supervisor", town=AUGUSTUSBURG))
    assert "verschieben" not in other_lead.actions  # only the competent town's


def test_a_decided_case_shows_its_letter_and_dispatch_and_offers_nothing() -> None:
    page = render(view_of(*LIFE, *ANSWERS, *DECIDED), person("wenzel", "clerk"))
    assert page.actions == []
    assert "Dem Antrag wurde stattgegeben." in page.text
    assert "Fläche 12,5 m²" in page.text
    assert "bekanntgegeben am 03.12.2026" in page.text
    assert (
        "iframe",
        {
            "class": "dokument",
            "src": f"/desk/vorgaenge/{CASE}/dateien/bescheid",
            "title": "Bescheid WUR-2026-000042",
            "loading": "lazy",
        },
    ) in page.tags


def test_a_past_moment_is_marked_and_offers_no_command() -> None:
    moment = START + timedelta(minutes=4, seconds=30)
    page = render(view_of(*LIFE, *DECIDED, as_of=moment), person("wenzel", "clerk"), past=True)
    assert page.actions == []
    assert "Stand vom 30.11.2026, 10:04:30 Uhr" in page.text
    assert "Rückfrage an Antragsteller/in" in page.text
    assert "Dem Antrag wurde stattgegeben." not in page.text


def test_a_refusal_stands_at_its_field_and_keeps_what_was_typed() -> None:
    page = render(
        view_of(*LIFE),
        person("wenzel", "clerk"),
        errors=[("entscheidung-gruende", "Eine Ablehnung muss begründet werden.")],
        entered={"entscheidung-ergebnis": "rejected", "entscheidung-auflagen": "Eine"},
    )
    reasons = page.ids["entscheidung-gruende"]
    assert reasons["aria-invalid"] == "true"
    assert reasons["aria-describedby"] == "entscheidung-gruende-hinweis entscheidung-gruende-fehler"
    assert "entscheidung-gruende-fehler" in page.ids
    assert page.ids["entscheidung-ablehnen"].get("checked") is None  # present, valueless
    assert "checked" in page.ids["entscheidung-ablehnen"]
    assert ">Eine</textarea>" in page.text
    assert 'href="#entscheidung-gruende"' in page.text


def test_a_decision_without_a_clerk_says_automatisch_and_a_clerks_names_the_clerk() -> None:
    automated = CaseDecided(
        case_id=CASE,
        procedure="sondernutzungserlaubnis",
        outcome="approved",
        decided_by="automation",
        on_behalf_of=WURZEN,
        rule_outcomes=[],
        decided_at=START,
    )
    for decision, said in (
        (automated, "30.11.2026, 10:00 Uhr, automatisch, im Namen von Wurzen"),
        (DECIDED[0], "30.11.2026, 10:00 Uhr, von Wenzel Wurzner, im Namen von Wurzen"),
    ):
        page = render(
            view_of(*LIFE, decision, CaseClosed(case_id=CASE, closed_at=START)),
            person("wenzel", "clerk"),
        )
        assert said in page.text
        assert "von automation" not in page.text


def test_a_closed_case_links_its_file_at_archive_s_desk_where_there_is_one() -> None:
    wenzel = person("wenzel", "clerk")
    closed, open_case = view_of(*LIFE, *ANSWERS, *DECIDED), view_of(*LIFE)

    def linked(view: CaseView, archive_desk: str, past: bool = False) -> Any:
        return case_context(
            wenzel,
            view,
            past=past,
            config=CONFIG,
            clerks=[],
            towns=TOWNS,
            archive_desk=archive_desk,
        )["archive_file"]

    url = linked(closed, "https://archiv.rathauscloud.example/desk/")
    assert url == f"https://archiv.rathauscloud.example/desk/akten/{CASE}"
    assert archive_file_url("http://127.0.0.1:8004", CASE) == url.replace(
        "https://archiv.rathauscloud.example", "http://127.0.0.1:8004"
    )
    assert linked(open_case, "https://archiv.rathauscloud.example/desk/") is None
    assert linked(closed, "") is None  # no archive desk configured: no link
    assert linked(closed, "https://archiv.rathauscloud.example/desk/", past=True) is None
    page = render(closed, wenzel, archive_file=url)
    assert page.ids["akte-im-archiv"]["href"] == url
    assert "Akte im Archiv einsehen" in page.text
    assert "akte-im-archiv" not in render(closed, wenzel).ids
