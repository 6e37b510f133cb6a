"""The applicant's steps after submitting: given the case and the applicant's history, when
they answer, withdraw or object, then these events — or this named refusal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

import pytest

from contracts.events.intake import (
    ApplicationSubmitted,
    ApplicationWithdrawn,
    AttachmentRef,
    InformationProvided,
    ObjectionLodged,
)
from contracts.procedures.base import AttachmentRule
from services.intake.domain.applicant_actions import (
    MAX_TEXT,
    ApplicantHistory,
    CaseView,
    Objection,
    Refused,
    allowed,
    answer,
    check_objection,
    fold,
    follow_up_rule,
    object_to,
    withdraw,
)

APPLICATION = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
OBJECTION = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f20")
REQUEST = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f30")
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
FILE = AttachmentRef(
    attachment_id="0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f40",
    filename="police.pdf",
    content_type="application/pdf",
    size=1234,
    sha256="a" * 64,
)
OPEN = CaseView(APPLICATION, APPLICATION, "hundesteuer-anmeldung", requests=frozenset({REQUEST}))
DECIDED = CaseView(APPLICATION, APPLICATION, "hundesteuer-anmeldung", outcome="rejected")
NOTHING = ApplicantHistory()


def refused(run: Callable[[], object]) -> Refused:
    """The refusal a step raises."""
    with pytest.raises(Refused) as raised:
        run()
    return raised.value


def test_an_open_question_is_answered_with_the_text_trimmed_and_the_files() -> None:
    events = answer(OPEN, NOTHING, REQUEST, "  Die Police liegt bei.\n", [FILE], NOW)
    assert events == [
        InformationProvided(
            application_id=APPLICATION,
            request_id=REQUEST,
            answer="Die Police liegt bei.",
            attachments=[FILE],
            provided_at=NOW,
        )
    ]


@pytest.mark.parametrize(
    ("case", "history", "text", "rule", "status"),
    [
        (OPEN, NOTHING, "  \n ", "answer_must_not_be_empty", 422),
        (OPEN, NOTHING, "x" * (MAX_TEXT + 1), "text_must_fit", 422),
        (
            CaseView(APPLICATION, APPLICATION, "hundesteuer-anmeldung"),
            NOTHING,
            "Hier.",
            "request_must_be_known",
            409,
        ),
        (
            OPEN,
            ApplicantHistory(answered=frozenset({REQUEST})),
            "Hier.",
            "request_must_be_unanswered",
            409,
        ),
        (
            OPEN,
            ApplicantHistory(withdrawn=frozenset({APPLICATION})),
            "Hier.",
            "application_must_not_be_withdrawn",
            409,
        ),
        (
            CaseView(
                APPLICATION, APPLICATION, "x", requests=frozenset({REQUEST}), outcome="approved"
            ),
            NOTHING,
            "Hier.",
            "application_must_be_undecided",
            409,
        ),
    ],
)
def test_an_answer_is_refused_by_the_rule_that_forbids_it(
    case: CaseView, history: ApplicantHistory, text: str, rule: str, status: int
) -> None:
    found = refused(lambda: answer(case, history, REQUEST, text, [], NOW))
    assert (found.rule, found.status) == (rule, status)
    assert (found.field == "answer") == (status == 422)


def test_an_undecided_application_is_withdrawn_once() -> None:
    assert withdraw(OPEN, NOTHING, NOW) == [
        ApplicationWithdrawn(application_id=APPLICATION, withdrawn_at=NOW)
    ]
    again = refused(
        lambda: withdraw(OPEN, ApplicantHistory(withdrawn=frozenset({APPLICATION})), NOW)
    )
    assert again.message == "Sie haben Ihren Antrag bereits zurückgenommen."
    late = refused(lambda: withdraw(DECIDED, NOTHING, NOW))
    assert late.rule == "application_must_be_undecided"
    assert late.message == (
        "Über Ihren Antrag ist bereits entschieden; eine Rücknahme ist nicht mehr möglich."
        " Gegen den Bescheid können Sie Widerspruch einlegen."
    )
    closed = CaseView(APPLICATION, APPLICATION, "x", closed_reason="merged")
    assert refused(lambda: withdraw(closed, NOTHING, NOW)).rule == "case_must_be_open"


def test_an_objection_is_a_new_case_against_a_decision() -> None:
    objection = Objection(OBJECTION, " Die Police lag bei. ", [FILE], "WUR-2026-000018", NOW)
    assert object_to(DECIDED, NOTHING, objection) == [
        ObjectionLodged(
            application_id=APPLICATION,
            objection_id=OBJECTION,
            procedure="hundesteuer-anmeldung",
            grounds="Die Police lag bei.",
            attachments=[FILE],
            lodged_at=NOW,
            case_number="WUR-2026-000018",
        )
    ]
    without_grounds = Objection(OBJECTION, "  ", [], None, NOW)
    [lodged] = object_to(DECIDED, NOTHING, without_grounds)
    assert isinstance(lodged, ObjectionLodged)
    assert (lodged.grounds, lodged.attachments) == (None, None)  # grounds are not required


@pytest.mark.parametrize(
    ("case", "history", "rule"),
    [
        (OPEN, NOTHING, "objection_needs_a_decision"),
        (
            DECIDED,
            ApplicantHistory(objections={APPLICATION: "WUR-2026-000018"}),
            "one_objection_per_decision",
        ),
        (
            CaseView(OBJECTION, APPLICATION, "x", objection_to=APPLICATION, outcome="rejected"),
            NOTHING,
            "no_objection_against_an_objection_decision",
        ),
    ],
)
def test_an_objection_is_refused_by_the_rule_that_forbids_it(
    case: CaseView, history: ApplicantHistory, rule: str
) -> None:
    found = refused(lambda: check_objection(case, history, None))
    assert (found.rule, found.status) == (rule, 409)


def test_a_second_objection_names_the_first_ones_number() -> None:
    history = ApplicantHistory(objections={APPLICATION: "WUR-2026-000018"})
    found = refused(lambda: check_objection(DECIDED, history, None))
    assert "bereits Widerspruch eingelegt (Vorgangsnummer WUR-2026-000018)" in found.message


def test_an_objections_case_speaks_of_the_objection() -> None:
    case = CaseView(OBJECTION, APPLICATION, "x", objection_to=APPLICATION, outcome="approved")
    found = refused(lambda: withdraw(case, NOTHING, NOW))
    assert found.message == (
        "Über Ihren Widerspruch ist bereits entschieden; eine Rücknahme ist nicht mehr möglich."
    )


def test_the_history_is_folded_from_the_applications_events() -> None:
    events = [
        ApplicationSubmitted(
            application_id=APPLICATION,
            procedure="hundesteuer-anmeldung",
            form_version=1,
            submitted_at=NOW,
            contact=None,
            form={},
        ),
        InformationProvided(
            application_id=APPLICATION, request_id=REQUEST, answer=None, provided_at=NOW
        ),
        ObjectionLodged(
            application_id=APPLICATION,
            objection_id=OBJECTION,
            procedure="hundesteuer-anmeldung",
            grounds=None,
            lodged_at=NOW,
            case_number="WUR-2026-000018",
        ),
        ApplicationWithdrawn(application_id=OBJECTION, withdrawn_at=NOW),
    ]
    assert fold(events) == ApplicantHistory(
        answered=frozenset({REQUEST}),
        withdrawn=frozenset({OBJECTION}),
        objections={APPLICATION: "WUR-2026-000018"},
    )


def test_what_the_page_offers_is_what_the_rules_allow() -> None:
    assert (allowed(OPEN, NOTHING).withdraw, allowed(OPEN, NOTHING).object) == (True, False)
    assert (allowed(DECIDED, NOTHING).withdraw, allowed(DECIDED, NOTHING).object) == (False, True)
    objected = ApplicantHistory(objections={APPLICATION: None})
    assert allowed(DECIDED, objected).object is False


def test_answers_take_pdfs_even_where_the_application_takes_photos_only() -> None:
    photos = AttachmentRule(max_count=3, content_types=frozenset({"image/jpeg", "image/png"}))
    rule = follow_up_rule(photos)
    assert rule.content_types == {"application/pdf", "image/jpeg", "image/png"}
    assert (rule.max_count, rule.max_bytes) == (3, photos.max_bytes)
    assert rule.hint == "PDF, JPEG oder PNG, höchstens 3 Dateien zu je 5 MB."
