"""File inspection, pure: whose token opens a file, which clerks may read it, how it reads."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from contracts.events.archive import FileInspected
from contracts.events.billing import FeeAssessed, NoFeeDue
from contracts.events.casework import CaseClosed, CaseDecided, CaseOpened, Clerk
from contracts.events.intake import ApplicationSubmitted
from services.archive.domain.inspection import (
    THE_FILE,
    Entry,
    Inspector,
    applicant_token_valid,
    clerk_may_inspect,
    document_name_acceptable,
    entitled_towns,
    euro,
    inspected,
    record_entries,
    token_digest,
)
from services.intake.commands import tracking_digest, tracking_token

CASE = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
AT = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
WURZEN, AUGUSTUSBURG, BRANDIS = "14729410", "14522020", "14729050"
ERIKA = Clerk(id="erika@14522020", name="Erika Muster", town=AUGUSTUSBURG)


def clerk(
    *towns: str, roles: tuple[str, ...] = ("clerk",), procedures: tuple[str, ...] = ("*",)
) -> Inspector:
    return Inspector(
        subject="erika@x", name="Erika Muster", roles=roles, towns=towns, procedures=procedures
    )


def test_the_applicant_s_token_matches_the_digest_intake_recorded() -> None:
    token = tracking_token("secret", CASE)
    digest = tracking_digest("secret", CASE)

    assert digest == hashlib.sha256(token.encode()).hexdigest() == token_digest(token)
    assert applicant_token_valid(digest, token)
    assert not applicant_token_valid(digest, token[:-1] + "0" if token[-1] != "0" else "1")
    assert not applicant_token_valid(digest, tracking_token("other secret", CASE))


@pytest.mark.parametrize("token", [None, "", "ä\udcff"])
def test_no_token_or_an_odd_one_opens_nothing(token: str | None) -> None:
    assert not applicant_token_valid(token_digest("x"), token)


def test_a_file_without_a_recorded_digest_opens_to_no_token() -> None:
    assert not applicant_token_valid(None, "anything")
    assert not applicant_token_valid("", "")


def test_entitled_are_the_competent_processing_and_deciding_towns_once_each() -> None:
    assert entitled_towns(WURZEN, [WURZEN, AUGUSTUSBURG], [AUGUSTUSBURG]) == [
        WURZEN,
        AUGUSTUSBURG,
    ]
    assert entitled_towns(None, [], [BRANDIS]) == [BRANDIS]


def test_a_clerk_of_an_entitled_town_who_handles_the_procedure_may_inspect() -> None:
    towns = [WURZEN, AUGUSTUSBURG]
    assert clerk_may_inspect(clerk(AUGUSTUSBURG), towns, "gewerbeanmeldung")
    assert clerk_may_inspect(
        clerk(WURZEN, roles=("supervisor",), procedures=("gewerbeanmeldung",)),
        towns,
        "gewerbeanmeldung",
    )


def test_another_town_another_procedure_or_no_clerk_role_may_not() -> None:
    towns = [WURZEN]
    assert not clerk_may_inspect(clerk(BRANDIS), towns, "gewerbeanmeldung")
    assert not clerk_may_inspect(
        clerk(WURZEN, procedures=("hundesteuer_anmeldung",)), towns, "gewerbeanmeldung"
    )
    assert not clerk_may_inspect(clerk(WURZEN, roles=("operator",)), towns, "gewerbeanmeldung")
    assert not clerk_may_inspect(clerk(), towns, "gewerbeanmeldung")


def test_an_access_names_the_clerk_or_else_the_applicant() -> None:
    assert inspected(CASE, THE_FILE, AT) == FileInspected(
        case_id=CASE, by="applicant", what="file", inspected_at=AT
    )
    by_clerk = inspected(CASE, "bescheid.pdf", AT, ERIKA)
    assert by_clerk.model_dump() == {
        "case_id": CASE,
        "by": "clerk",
        "clerk": {"id": ERIKA.id, "name": "Erika Muster", "town": AUGUSTUSBURG, "email": None},
        "what": "bescheid.pdf",
        "inspected_at": AT,
    }
    assert FileInspected.personal_fields() == frozenset()


def test_the_inspector_is_named_by_the_first_of_their_towns() -> None:
    assert clerk(AUGUSTUSBURG, WURZEN).clerk == Clerk(
        id="erika@x", name="Erika Muster", town=AUGUSTUSBURG
    )


@pytest.mark.parametrize(
    ("name", "fine"),
    [
        ("bescheid-WUR-2026-000017.pdf", True),
        ("Gebührenbescheid März.pdf", True),
        ("../secret", False),
        ("a/b.pdf", False),
        ("a\\b.pdf", False),
        ("..", False),
        ("", False),
        ("x\n.pdf", False),
    ],
)
def test_a_document_name_is_a_plain_file_name(name: str, fine: bool) -> None:
    assert document_name_acceptable(name) is fine


def test_amounts_read_the_german_way() -> None:
    assert euro(Decimal("26.00")) == "26,00 EUR"
    assert euro(Decimal("1234.5")) == "1.234,50 EUR"


def test_the_record_reads_in_german_oldest_first_without_personal_data() -> None:
    submitted = ApplicationSubmitted(
        application_id=CASE,
        procedure="gewerbeanmeldung",
        form_version=1,
        submitted_at=AT,
        contact=None,  # as read without opening personal fields
        form=None,
        case_number="WUR-2026-000017",
    )
    opened = CaseOpened(
        case_id=CASE,
        application_id=CASE,
        procedure="gewerbeanmeldung",
        competent_town=WURZEN,
        processing_towns=[WURZEN],
        opened_at=AT,
    )
    decided = CaseDecided(
        case_id=CASE,
        procedure="gewerbeanmeldung",
        outcome="approved",
        decided_by=f"clerk:{ERIKA.id}",
        on_behalf_of=WURZEN,
        rule_outcomes=[],
        decided_at=AT,
        clerk=ERIKA,
    )
    fee = FeeAssessed(
        case_id=CASE,
        procedure="gewerbeanmeldung",
        amount=Decimal("26.00"),
        cash_reference="14729410-2026-000001",
        due_date=date(2026, 12, 20),
        assessed_at=AT,
    )
    later = [AT + timedelta(minutes=i) for i in range(6)]
    events = [
        (fee, later[4]),
        (submitted, later[0]),
        (CaseClosed(case_id=CASE, closed_at=AT), later[3]),
        (opened, later[1]),
        (decided, later[2]),
        (NoFeeDue(case_id=CASE, reason="frei", assessed_at=AT), later[5]),
    ]

    assert record_entries(events) == [
        Entry(later[0], "Antrag eingereicht (Vorgangsnummer WUR-2026-000017)"),
        Entry(later[1], "Vorgang eröffnet"),
        Entry(later[2], "Entschieden: genehmigt (von Erika Muster)"),
        Entry(later[3], "Vorgang abgeschlossen"),
        Entry(later[4], "Gebühr festgesetzt: 26,00 EUR (Kassenzeichen 14729410-2026-000001)"),
        Entry(later[5], "Keine Gebühr erhoben"),
    ]
