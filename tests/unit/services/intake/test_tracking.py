"""The applicant's timeline: which events are steps, how they read in German, which step
is the status."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from contracts.base import DomainEvent
from contracts.events.archive import CaseFiled, PersonalDataErased
from contracts.events.billing import FeeAssessed, FeeScheduleAdopted, NoFeeDue
from contracts.events.casework import (
    CaseClosed,
    CaseDecided,
    CaseOpened,
    CaseReferredToClerk,
    Clerk,
    DecisionDispatched,
    DecisionDocumentIssued,
    DelegationAgreed,
    DocumentRef,
    HearingRequested,
    InformationRequested,
    RuleOutcome,
    StatusReported,
)
from contracts.events.intake import (
    ApplicationSubmitted,
    ApplicationWithdrawn,
    InformationProvided,
    ObjectionLodged,
)
from contracts.events.notify import MessageDelivered, MessageDeliveryFailed
from contracts.values import Contact
from services.intake.domain.tracking import (
    Status,
    TimelineEntry,
    current_status,
    current_step,
    euro,
    timeline_entries,
    timeline_entry,
)

CASE = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
MESSAGE = UUID("0190f3c6-1111-7222-8333-444455556666")
WURZEN = "14729410"
AT = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
OUTCOME = RuleOutcome(
    rule="applicant_must_be_of_age", passed=True, reason="Die anmeldende Person ist volljährig."
)


def decided(outcome: str) -> CaseDecided:
    return CaseDecided.model_validate(
        {
            "case_id": CASE,
            "procedure": "gewerbeanmeldung",
            "outcome": outcome,
            "decided_by": "automation",
            "on_behalf_of": WURZEN,
            "rule_outcomes": [OUTCOME],
            "decided_at": AT,
        }
    )


def delivered(template: str, case_id: UUID | None = CASE) -> MessageDelivered:
    return MessageDelivered(
        message_id=MESSAGE,
        case_id=case_id,
        template=template,
        channel="email",
        recipient="hedwig.quirinus@example.org",
        attempts=1,
        delivered_at=AT,
    )


def failed(template: str, *, final: bool, case_id: UUID | None = CASE) -> MessageDeliveryFailed:
    return MessageDeliveryFailed(
        message_id=MESSAGE,
        case_id=case_id,
        template=template,
        attempts=8,
        error="SMTPRecipientsRefused: 550 mailbox unavailable",
        final=final,
        next_attempt_at=None,
        failed_at=AT,
    )


def erased(case_id: UUID | None) -> PersonalDataErased:
    return PersonalDataErased(
        data_key=f"case-{CASE}",
        case_id=case_id,
        reason="Antrag der betroffenen Person",
        erased_at=AT,
    )


@pytest.mark.parametrize(
    ("event", "step", "label"),
    [
        pytest.param(
            ApplicationSubmitted(
                application_id=CASE,
                procedure="gewerbeanmeldung",
                form_version=1,
                submitted_at=AT,
                contact=Contact(
                    name="Hedwig Quirinus-Zwetschgenbaum", email="hedwig.quirinus@example.org"
                ),
                form={},
            ),
            "received",
            "Antrag eingegangen",
            id="submitted",
        ),
        pytest.param(
            CaseOpened(
                case_id=CASE,
                application_id=CASE,
                procedure="gewerbeanmeldung",
                competent_town=WURZEN,
                processing_towns=[WURZEN],
                opened_at=AT,
            ),
            "case_opened",
            "Vorgang angelegt",
            id="opened",
        ),
        pytest.param(
            CaseReferredToClerk(
                case_id=CASE, queue=f"{WURZEN}:gewerbeanmeldung", rule_outcomes=[OUTCOME]
            ),
            "referred",
            "Zur Prüfung an die Sachbearbeitung übergeben",
            id="referred",
        ),
        pytest.param(
            decided("approved"),
            "decided",
            "Entschieden: Ihrem Antrag wurde stattgegeben",
            id="approved",
        ),
        pytest.param(
            decided("rejected"),
            "decided",
            "Entschieden: Ihr Antrag wurde abgelehnt",
            id="rejected",
        ),
        pytest.param(
            CaseClosed(case_id=CASE, closed_at=AT),
            "closed",
            "Vorgang abgeschlossen",
            id="closed",
        ),
        pytest.param(
            FeeAssessed(
                case_id=CASE,
                procedure="gewerbeanmeldung",
                amount=Decimal("1234.50"),
                cash_reference="14729410-2026-000123",
                due_date=date(2026, 12, 20),
                assessed_at=AT,
            ),
            "fee",
            "Gebühr festgesetzt: 1.234,50 €, fällig am 20.12.2026, "
            "Kassenzeichen 14729410-2026-000123",
            id="fee-assessed",
        ),
        pytest.param(
            NoFeeDue(
                case_id=CASE, reason="Für die Ablehnung wird keine Gebühr erhoben.", assessed_at=AT
            ),
            "fee",
            "Keine Gebühr: Für die Ablehnung wird keine Gebühr erhoben.",
            id="no-fee",
        ),
        pytest.param(
            CaseFiled(
                case_id=CASE,
                file_reference="32.10.01/2026/00017",
                event_count=7,
                record_hash="a" * 64,
                chain_hash="b" * 64,
                retain_until=date(2036, 12, 31),
                filed_at=AT,
            ),
            "filed",
            "Zur E-Akte genommen (Aktenzeichen 32.10.01/2026/00017)",
            id="filed",
        ),
        pytest.param(
            delivered("acknowledgement"),
            "message:acknowledgement",
            "Eingangsbestätigung per E-Mail versandt",
            id="acknowledgement-delivered",
        ),
        pytest.param(
            delivered("decision"),
            "message:decision",
            "Bescheid per E-Mail versandt",
            id="decision-delivered",
        ),
        pytest.param(
            delivered("fee_notice"),
            "message:fee_notice",
            "Gebührenbescheid per E-Mail versandt",
            id="fee-notice-delivered",
        ),
        pytest.param(
            delivered("reminder"),
            "message:reminder",
            "Nachricht per E-Mail versandt",
            id="unknown-template-delivered",
        ),
        pytest.param(
            failed("decision", final=True),
            "message_failed:decision",
            "Bescheid konnte nicht per E-Mail zugestellt werden",
            id="delivery-given-up",
        ),
        pytest.param(
            erased(CASE),
            "erased",
            "Personenbezogene Daten gelöscht",
            id="erased",
        ),
    ],
)
def test_each_step_reads_as_its_german_line(event: DomainEvent, step: str, label: str) -> None:
    assert timeline_entry(event) == TimelineEntry(application_id=CASE, step=step, label=label)


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(delivered("acknowledgement", case_id=None), id="message-without-case"),
        pytest.param(failed("decision", final=False), id="failure-that-is-retried"),
        pytest.param(failed("decision", final=True, case_id=None), id="failure-without-case"),
        pytest.param(erased(None), id="erasure-without-case"),
        pytest.param(
            FeeScheduleAdopted(town=WURZEN, fees={"gewerbeanmeldung": Decimal("26")}),
            id="fee-schedule",
        ),
        pytest.param(
            DelegationAgreed(
                delegating_town=WURZEN, procedure="gewerbeanmeldung", processing_towns=["14522020"]
            ),
            id="delegation",
        ),
    ],
)
def test_events_the_applicant_need_not_see_make_no_line(event: DomainEvent) -> None:
    assert timeline_entry(event) is None


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("26.00"), "26,00 €"),
        (Decimal("26"), "26,00 €"),
        (Decimal("0.5"), "0,50 €"),
        (Decimal("1234.5"), "1.234,50 €"),
        (Decimal("1234567.89"), "1.234.567,89 €"),
    ],
)
def test_amounts_are_written_the_german_way(amount: Decimal, text: str) -> None:
    assert euro(amount) == text


@pytest.mark.parametrize(
    ("steps", "status"),
    [
        (["received", "case_opened", "decided", "closed"], "closed"),
        (["fee", "received", "closed", "decided"], "fee"),
        (["received", "case_opened", "referred"], "referred"),
        (["received", "message:acknowledgement", "message_failed:decision", "erased"], "received"),
        (["filed", "fee", "message:fee_notice"], "filed"),
        ([], "received"),
    ],
)
def test_the_status_is_the_highest_milestone_reached(steps: list[str], status: str) -> None:
    assert current_step(steps) == status


REQUEST = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f30")
OBJECTION = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f20")
CLERK = Clerk(id="c-1", name="Erika Mustermann", town=WURZEN)


@pytest.mark.parametrize(
    ("event", "step", "label"),
    [
        pytest.param(
            InformationRequested(
                case_id=CASE,
                request_id=REQUEST,
                question="Wie heißt Ihr Hund wirklich?",
                due=date(2026, 12, 14),
                by=CLERK,
                requested_at=AT,
            ),
            "information_requested",
            "Rückfrage der Sachbearbeitung (Antwort bis 14.12.2026)",
            id="asked",
        ),
        pytest.param(
            InformationProvided(
                application_id=CASE, request_id=REQUEST, answer="Bello.", provided_at=AT
            ),
            "information_provided",
            "Ihre Antwort ist eingegangen",
            id="answered",
        ),
        pytest.param(
            HearingRequested(
                case_id=CASE,
                hearing_id=REQUEST,
                body="polizei",
                body_name="Polizeirevier Grimma",
                body_email="revier.grimma@polizei.example",
                subject="Vollsperrung Wenceslaigasse",
                due=date(2026, 12, 14),
                by=CLERK,
                requested_at=AT,
            ),
            "hearing",
            "Stellungnahmen anderer Stellen werden eingeholt",
            id="hearing",
        ),
        pytest.param(
            StatusReported(
                case_id=CASE,
                status="behoben",
                note=" Das Loch ist verfüllt. ",
                by=CLERK,
                reported_at=AT,
            ),
            "status_report",
            "Stand der Bearbeitung: Behoben – Das Loch ist verfüllt.",
            id="status-report",
        ),
        pytest.param(
            StatusReported(case_id=CASE, status="weitergeleitet", by=CLERK, reported_at=AT),
            "status_report",
            "Stand der Bearbeitung: An die zuständige Stelle weitergeleitet",
            id="status-report-without-note",
        ),
        pytest.param(
            DecisionDocumentIssued(
                case_id=CASE,
                document=DocumentRef(
                    object_name=f"{CASE}/bescheid.pdf",
                    filename="Bescheid.pdf",
                    content_type="application/pdf",
                    size=100,
                    sha256="c" * 64,
                ),
                issued_at=AT,
            ),
            "document",
            "Bescheid zum Herunterladen bereit",
            id="document",
        ),
        pytest.param(
            DecisionDispatched(case_id=CASE, dispatched_at=AT, known_on=date(2026, 11, 23)),
            "dispatched",
            "Bescheid versandt; er gilt am 23.11.2026 als bekannt gegeben",
            id="dispatched",
        ),
        pytest.param(
            ApplicationWithdrawn(application_id=CASE, withdrawn_at=AT),
            "withdrawn",
            "Ihre Rücknahme ist eingegangen",
            id="withdrawn",
        ),
        pytest.param(
            CaseClosed(case_id=CASE, closed_at=AT, reason="withdrawn"),
            "closed",
            "Vorgang nach Ihrer Rücknahme eingestellt",
            id="closed-after-withdrawal",
        ),
    ],
)
def test_the_applicants_steps_read_as_german_lines_naming_nobody(
    event: DomainEvent, step: str, label: str
) -> None:
    assert timeline_entry(event) == TimelineEntry(application_id=CASE, step=step, label=label)
    assert "Erika" not in label  # the clerk
    assert "Polizei" not in label  # a heard body
    assert "Hund" not in label  # the question


def test_an_objection_is_a_line_on_the_first_case_and_the_first_of_its_own() -> None:
    lodged = ObjectionLodged(
        application_id=CASE,
        objection_id=OBJECTION,
        procedure="hundesteuer-anmeldung",
        grounds="Zu teuer.",
        lodged_at=AT,
        case_number="WUR-2026-000018",
    )
    assert timeline_entries(lodged) == [
        TimelineEntry(CASE, "objection", "Widerspruch eingelegt (Vorgangsnummer WUR-2026-000018)"),
        TimelineEntry(OBJECTION, "received", "Widerspruch eingegangen"),
    ]
    assert timeline_entries(CaseClosed(case_id=CASE, closed_at=AT)) == [
        TimelineEntry(CASE, "closed", "Vorgang abgeschlossen")
    ]
    assert timeline_entries(delivered("acknowledgement", case_id=None)) == []


RECEIVED = ("received", "Antrag eingegangen")
REFERRED = ("referred", "Zur Prüfung an die Sachbearbeitung übergeben")
DECIDED = ("decided", "Entschieden: Ihr Antrag wurde abgelehnt")
REPORT = ("status_report", "Stand der Bearbeitung: Behoben")


@pytest.mark.parametrize(
    ("lines", "due", "status"),
    [
        ([RECEIVED, REFERRED], None, Status(*REFERRED)),
        (
            [RECEIVED, REFERRED],
            date(2026, 12, 14),
            Status(
                "awaiting_information", "Rückfrage offen: Bitte antworten Sie bis zum 14.12.2026"
            ),
        ),
        ([RECEIVED, REFERRED, DECIDED], date(2026, 12, 14), Status(*DECIDED)),
        ([RECEIVED, REFERRED, REPORT], None, Status(*REPORT)),
        ([RECEIVED, REPORT, REFERRED], None, Status(*REFERRED)),
        ([RECEIVED, REPORT, DECIDED], None, Status(*DECIDED)),
        (
            [RECEIVED, ("withdrawn", "Ihre Rücknahme ist eingegangen")],
            None,
            Status("withdrawn", "Ihre Rücknahme ist eingegangen"),
        ),
        ([], None, Status("received", "Antrag eingegangen")),
    ],
)
def test_an_open_question_or_a_newer_report_is_the_status_until_the_decision(
    lines: list[tuple[str, str]], due: date | None, status: Status
) -> None:
    assert current_status(lines, due) == status
