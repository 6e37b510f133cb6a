"""The status page as HTML: German time, everything escaped, a complete accessible document."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from uuid import UUID

import pytest

from services.intake.api.page_forms import FormState, withdraw_confirmation_html
from services.intake.api.pages import (
    HEADERS,
    german_datetime,
    not_found_page,
    not_visible_yet_page,
    status_page_html,
    time_element,
)
from services.intake.api.schemas import ApplicationStatus, TimelineLine

APPLICATION = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
SUBMITTED = datetime(2026, 11, 22, 7, 58, 41, 123456, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'
TOKEN = "0123456789abcdef0123456789abcdef"


class Document(HTMLParser):
    """The tags of a page, with their attributes and the text inside some of them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: dict[str, list[str]] = {}
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "br"):
            self._open.append(tag)
            self.texts.setdefault(tag, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for tag in self._open:
            self.texts[tag][-1] += data

    def all(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == name]


def status(**changes: object) -> ApplicationStatus:
    values: dict[str, object] = {
        "application_id": APPLICATION,
        "town": "14729410",
        "town_name": "Wurzen",
        "procedure": "gewerbeanmeldung",
        "procedure_title": "Gewerbeanmeldung",
        "submitted_at": SUBMITTED,
        "status": "fee",
        "status_label": "Gebühr festgesetzt: 26,00 €",
        "timeline": [
            TimelineLine(step="received", label="Antrag eingegangen", occurred_at=SUBMITTED),
            TimelineLine(
                step="fee",
                label="Gebühr festgesetzt: 26,00 €",
                occurred_at=SUBMITTED + timedelta(seconds=2),
            ),
        ],
    }
    return ApplicationStatus.model_validate({**values, **changes})


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 22, 7, 58, tzinfo=UTC), "22.11.2026, 08:58 Uhr"),  # CET, UTC+1
        (datetime(2026, 7, 1, 22, 30, tzinfo=UTC), "02.07.2026, 00:30 Uhr"),  # CEST, next day
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29.03.2026, 03:00 Uhr"),  # clocks go forward
        (datetime(2026, 1, 5, 9, 7, tzinfo=timezone(timedelta(hours=-5))), "05.01.2026, 15:07 Uhr"),
        (datetime(2026, 11, 22, 7, 58), "22.11.2026, 08:58 Uhr"),  # naive is UTC
    ],
)
def test_times_read_in_german_as_in_germany(moment: datetime, expected: str) -> None:
    assert german_datetime(moment) == expected


def test_a_time_element_carries_a_valid_machine_readable_datetime() -> None:
    element = time_element(SUBMITTED)
    assert element == '<time datetime="2026-11-22T08:58:41+01:00">22.11.2026, 08:58 Uhr</time>'
    # HTML allows at most three digits of a second: the microseconds are dropped.
    [attribute] = re.findall(r'datetime="([^"]+)"', element)
    assert datetime.fromisoformat(attribute) == SUBMITTED.replace(microsecond=0)


def test_the_status_page_is_a_complete_german_document() -> None:
    page = status_page_html(status(), TOKEN)
    document = Document(page)
    assert page.startswith("<!DOCTYPE html>")
    assert document.all("html") == [{"lang": "de"}]
    assert document.texts["title"] == [
        "Stand Ihres Antrags: Gewerbeanmeldung, Wurzen – RathausCloud"
    ]
    assert document.texts["h1"] == ["Stand Ihres Antrags"]
    assert document.all("main") == [{"id": "inhalt", "tabindex": "-1"}]
    # The first thing a keyboard reaches is the way past the header to the content.
    first_link = document.all("a")[0]
    assert first_link["href"] == "#inhalt"
    assert document.texts["a"][0] == "Zum Inhalt springen"
    assert "22.11.2026, 08:58 Uhr" in document.texts["dd"]
    assert "Wurzen" in document.texts["dd"]
    assert "Gewerbeanmeldung" in document.texts["dd"]
    assert str(APPLICATION) in document.texts["dd"]
    assert document.texts["strong"] == ["Gebühr festgesetzt: 26,00 €"]


def test_the_timeline_is_an_ordered_list_of_dated_steps() -> None:
    document = Document(status_page_html(status(), TOKEN))
    assert len(document.all("ol")) == 1
    assert document.texts["li"] == [
        "Antrag eingegangen 22.11.2026, 08:58 Uhr",
        "Gebühr festgesetzt: 26,00 € 22.11.2026, 08:58 Uhr",
    ]
    # one <time> for the submission, one per step
    datetimes = [attrs["datetime"] for attrs in document.all("time")]
    assert datetimes == [
        "2026-11-22T08:58:41+01:00",
        "2026-11-22T08:58:41+01:00",
        "2026-11-22T08:58:43+01:00",
    ]


def test_hostile_text_is_shown_as_text_never_as_markup() -> None:
    page = status_page_html(
        status(
            town_name=HOSTILE,
            procedure_title=HOSTILE,
            status_label=HOSTILE,
            timeline=[{"step": "received", "label": HOSTILE, "occurred_at": SUBMITTED}],
        ),
        TOKEN,
    )
    document = Document(page)
    assert not document.all("script")
    assert not document.all("img")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&quot;&gt;&lt;img" in page
    assert HOSTILE in document.texts["dd"]  # read back as the very text it was
    assert document.texts["li"] == [f"{HOSTILE} 22.11.2026, 08:58 Uhr"]


def test_a_town_without_a_name_is_named_by_its_key() -> None:
    document = Document(status_page_html(status(town_name=None), TOKEN))
    assert "Gemeinde 14729410" in document.texts["dd"]


def test_the_reload_link_keeps_the_token_inside_its_attribute() -> None:
    document = Document(status_page_html(status(), 'x" onclick="alert(1)'))
    [reload] = [attrs for attrs in document.all("a") if attrs["href"] != "#inhalt"]
    assert reload == {"href": "?token=x%22%20onclick%3D%22alert%281%29"}


def test_the_not_found_page_says_in_german_why_and_reveals_nothing() -> None:
    page = not_found_page()
    document = Document(page)
    assert document.all("html") == [{"lang": "de"}]
    assert document.texts["h1"] == ["Antrag nicht gefunden"]
    assert "Link unvollständig" in page
    assert len(document.all("main")) == 1
    # It takes no argument: there is nothing of the asked-for application it could show.
    assert not_found_page() == page


def test_a_submission_not_yet_projected_asks_for_a_moment() -> None:
    document = Document(not_visible_yet_page(TOKEN))
    assert document.texts["h1"] == ["Antrag noch nicht sichtbar"]
    assert {"href": f"?token={TOKEN}"} in document.all("a")


def test_the_headers_keep_the_token_in_the_url_private() -> None:
    assert HEADERS["Cache-Control"] == "no-store"
    assert HEADERS["X-Robots-Tag"] == "noindex"
    assert HEADERS["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in HEADERS["Content-Security-Policy"]


def test_the_content_security_policy_allows_exactly_the_inline_style() -> None:
    page = status_page_html(status(), TOKEN)
    [style] = Document(page).texts["style"]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in HEADERS["Content-Security-Policy"]


REQUEST = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f30")
OBJECTION = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f20")
FORM = f"antwort-{REQUEST}"


def asked(question: str | None = "Bitte senden Sie die Police.") -> ApplicationStatus:
    return status(
        expected_decision="2026-12-20",
        open_requests=[
            {"request_id": REQUEST, "question": question, "due": "2026-12-14", "answer_url": "x"}
        ],
        withdraw_url="x",
    )


def decided(**changes: object) -> ApplicationStatus:
    decision = {
        "outcome": "rejected",
        "known_on": "2026-11-12",
        "objection_until": "2026-12-14",
        "document": {
            "filename": "Bescheid.pdf",
            "content_type": "application/pdf",
            "size": 23_000,
            "download_url": "x",
        },
    }
    return status(**{"decision": decision, "objection_url": "x", **changes})


def test_the_forms_post_to_intake_only() -> None:
    assert "form-action 'self'" in HEADERS["Content-Security-Policy"]
    assert "form-action 'none'" not in HEADERS["Content-Security-Policy"]


def test_an_open_question_is_shown_with_a_form_that_carries_the_token() -> None:
    page = status_page_html(asked(), 'x"y', key="k-1")
    document = Document(page)
    assert "Bitte senden Sie die Police." in document.texts["blockquote"]
    [form] = document.all("form")
    assert form["method"] == "post"
    assert form["enctype"] == "multipart/form-data"
    assert form["action"] == f"/antraege/{APPLICATION}/rueckfragen/{REQUEST}?token=x%22y"
    [text] = document.all("textarea")
    assert (text["name"], text["id"]) == ("antwort", f"{FORM}-text")
    assert "required" in text
    assert {"type": "hidden", "name": "schluessel", "value": "k-1"} in document.all("input")
    assert "Bitte antworten Sie bis zum 14.12.2026." in "".join(document.texts["p"])
    assert "20.12.2026" in document.texts["dd"]  # the expected decision
    assert {"href": f"/antraege/{APPLICATION}/ruecknahme?token=x%22y"} in document.all("a")
    # The reload link stays the first stop in main: the steps come after it.
    links = [a["href"] for a in document.all("a")]
    assert links[1] == "?token=x%22y"


def test_a_question_is_text_never_markup() -> None:
    page = status_page_html(asked(HOSTILE), TOKEN)
    assert "<script>" not in page
    assert HOSTILE in Document(page).texts["blockquote"]


def test_an_erased_question_says_so() -> None:
    page = status_page_html(asked(None), TOKEN)
    assert "Die Frage kann nicht mehr angezeigt werden" in page


def test_a_form_sent_back_says_what_is_wrong_at_the_top_and_at_the_field() -> None:
    state = FormState(FORM, {f"{FORM}-text": "Bitte geben Sie Ihre Antwort ein."}, "<b>x</b>", "k")
    document = Document(status_page_html(asked(), TOKEN, state=state, here="/antraege/a"))
    assert document.texts["h2"][0] == "Bitte prüfen Sie Ihre Angaben"
    [summary_link] = [a for a in document.all("a") if a["href"] == f"#{FORM}-text"]
    assert summary_link
    [text] = document.all("textarea")
    assert (text["aria-invalid"], text["aria-describedby"]) == ("true", f"{FORM}-text-fehler")
    assert document.texts["textarea"] == ["<b>x</b>"]  # what was typed, as text
    assert "Fehler: Bitte geben Sie Ihre Antwort ein." in document.texts["p"]
    assert {"href": "/antraege/a?token=" + TOKEN} in document.all("a")  # the reload link


def test_a_decision_offers_its_letter_its_dates_and_the_objection() -> None:
    document = Document(status_page_html(decided(), TOKEN, key="k"))
    text = "".join(document.texts["p"])
    assert "Ihr Antrag wurde abgelehnt." in text
    assert "Der Bescheid gilt am 12.11.2026 als bekannt gegeben." in text
    assert "Widerspruch können Sie bis zum 14.12.2026 einlegen." in text
    assert {"href": f"/antraege/{APPLICATION}/bescheid?token={TOKEN}"} in document.all("a")
    [form] = document.all("form")
    assert form["action"] == f"/antraege/{APPLICATION}/widerspruch?token={TOKEN}"
    assert [t["name"] for t in document.all("textarea")] == ["begruendung"]
    assert not [a for a in document.all("a") if "ruecknahme" in (a["href"] or "")]


def test_a_lodged_objection_is_linked_with_its_own_token_and_not_offered_again() -> None:
    linked = {
        "application_id": OBJECTION,
        "case_number": "WUR-2026-000018",
        "status_url": "x",
        "status_page_url": f"/antraege/{OBJECTION}?token=own",
    }
    document = Document(status_page_html(decided(objection=linked, objection_url=None), TOKEN))
    assert not document.all("form")
    assert {"href": f"/antraege/{OBJECTION}?token=own"} in document.all("a")
    assert "Sie haben Widerspruch eingelegt (Vorgangsnummer WUR-2026-000018). " in "".join(
        document.texts["p"]
    )


def test_an_objections_page_speaks_of_the_objection() -> None:
    page = status_page_html(
        status(kind="objection", objection_to_case_number="WUR-2026-000017", withdraw_url="x"),
        TOKEN,
    )
    document = Document(page)
    assert document.texts["h1"] == ["Stand Ihres Widerspruchs"]
    assert "WUR-2026-000017" in document.texts["dd"]
    assert "Widerspruch zurücknehmen …" in document.texts["a"]


def test_a_withdrawal_is_confirmed_on_a_page_of_its_own() -> None:
    document = Document(withdraw_confirmation_html(asked(), TOKEN, "k-2"))
    assert document.texts["h1"] == ["Antrag zurücknehmen?"]
    [form] = document.all("form")
    assert form == {"method": "post", "action": f"/antraege/{APPLICATION}/ruecknahme?token={TOKEN}"}
    assert document.texts["button"] == ["Ja, Antrag zurücknehmen"]
    assert {"href": f"/antraege/{APPLICATION}?token={TOKEN}"} in document.all("a")
