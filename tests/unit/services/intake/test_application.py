"""Submitting an application: given no submission yet, when a citizen submits, then one
``ApplicationSubmitted`` with the form, the derived contact and the tracking link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from pydantic import ValidationError

from contracts.calendar import today
from contracts.events.intake import ApplicationSubmitted, AttachmentRef
from contracts.procedures import GewerbeanmeldungForm, UnknownProcedure
from contracts.values import Contact
from services.intake.domain.application import (
    SubmitApplication,
    UnknownFormVersion,
    contact_of,
    decide_submission,
    form_model,
    validate_form,
)
from tests.support.applications import gewerbeanmeldung

APPLICATION_ID = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
SUBMITTED_AT = datetime(2026, 11, 20, 9, 15, 30, tzinfo=UTC)
TRACKING_URL = "https://wurzen.rathauscloud.example/antrag/0190f3c4/status?t=Zq8vN2xKp4"
CERTIFICATE = AttachmentRef(
    attachment_id="0190f3c5-0a2b-7d11-8e3f-1c2d3e4f5a6b",
    filename="Meisterbrief.pdf",
    content_type="application/pdf",
    size=182_344,
    sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
)

FORM_AS_STORED: dict[str, Any] = {
    "applicant": {
        "family_name": "Quirinus-Zwetschgenbaum",
        "given_names": "Hedwig",
        "birth_date": "1988-04-12",
        "nationality": "DE",
        "email": "hedwig.quirinus@example.org",
        "phone": "+49 3425 123456",
        "address": {"street": "Jacobsplatz 5", "postcode": "04808", "city": "Wurzen"},
        "residence_permit_allows_self_employment": None,
    },
    "business": {
        "trade_name": "Quirinus Webdesign",
        "legal_form": "einzelunternehmen",
        "address": {"street": "Domplatz 3", "postcode": "04808", "city": "Wurzen"},
        "activity": "Gestaltung und Programmierung von Webseiten",
        "start_date": (today() + timedelta(days=7)).isoformat(),  # German, as the example
        "regulated_activities": [],
        "craft_trade": False,
        "handwerksrolle_entry": False,
        "employees_full_time": 0,
        "employees_part_time": 1,
    },
    "declaration_truthful": True,
}
"""The form as the event records it: the citizen's input plus the model's defaults."""


def submit(
    attachments: list[AttachmentRef] | None = None, tracking_url: str | None = TRACKING_URL
) -> SubmitApplication:
    return SubmitApplication(
        application_id=APPLICATION_ID,
        procedure="gewerbeanmeldung",
        form_version=1,
        form=validate_form("gewerbeanmeldung", 1, gewerbeanmeldung()["form"]),
        attachments=attachments or [],
        submitted_at=SUBMITTED_AT,
        tracking_url=tracking_url,
    )


def test_a_new_submission_records_the_form_the_contact_and_the_tracking_link() -> None:
    events = decide_submission([], submit(attachments=[CERTIFICATE]))

    assert events == [
        ApplicationSubmitted(
            application_id=APPLICATION_ID,
            procedure="gewerbeanmeldung",
            form_version=1,
            submitted_at=SUBMITTED_AT,
            contact=Contact(
                name="Hedwig Quirinus-Zwetschgenbaum", email="hedwig.quirinus@example.org"
            ),
            form=FORM_AS_STORED,
            attachments=[CERTIFICATE],
            tracking_url=TRACKING_URL,
        )
    ]


def test_a_submission_without_attachments_records_none_rather_than_an_empty_list() -> None:
    [event] = decide_submission([], submit(attachments=[]))

    assert isinstance(event, ApplicationSubmitted)
    assert event.attachments is None


def test_a_submission_without_a_tracking_link_records_none() -> None:
    [event] = decide_submission([], submit(tracking_url=None))

    assert isinstance(event, ApplicationSubmitted)
    assert event.tracking_url is None


def test_submitting_again_on_an_existing_submission_records_nothing() -> None:
    history = decide_submission([], submit())

    assert decide_submission(history, submit(attachments=[CERTIFICATE])) == []


def test_the_contact_is_given_names_then_family_name_and_the_email() -> None:
    form = GewerbeanmeldungForm.model_validate(
        gewerbeanmeldung(
            form__applicant__given_names="Anna Maria",
            form__applicant__family_name="Schmidt",
            form__applicant__email="a.schmidt@example.de",
        )["form"]
    )

    assert contact_of("gewerbeanmeldung", form) == Contact(
        name="Anna Maria Schmidt", email="a.schmidt@example.de"
    )


def test_a_procedure_the_suite_does_not_know_has_no_contact_rule() -> None:
    with pytest.raises(UnknownProcedure):
        contact_of("hundeanmeldung", GewerbeanmeldungForm.read(gewerbeanmeldung()["form"]))


def test_the_gewerbeanmeldung_version_1_is_validated_against_its_form() -> None:
    assert form_model("gewerbeanmeldung", 1) is GewerbeanmeldungForm

    form = validate_form("gewerbeanmeldung", 1, gewerbeanmeldung()["form"])

    assert isinstance(form, GewerbeanmeldungForm)
    assert form.model_dump(mode="json") == FORM_AS_STORED


def test_an_invalid_form_is_refused_field_by_field() -> None:
    data = gewerbeanmeldung(form__applicant__business="x", form__declaration_truthful=False)

    with pytest.raises(ValidationError) as caught:
        validate_form("gewerbeanmeldung", 1, data["form"])

    assert {error["loc"] for error in caught.value.errors()} == {
        ("applicant", "business"),
        ("declaration_truthful",),
    }


@pytest.mark.parametrize(
    ("procedure", "version", "message"),
    [
        ("gewerbeanmeldung", 4, "gewerbeanmeldung v4"),
        ("gewerbeanmeldung", 0, "gewerbeanmeldung v0"),
        ("hundeanmeldung", 1, "hundeanmeldung v1"),
        ("", 1, " v1"),
    ],
)
def test_an_unknown_procedure_or_form_version_has_no_form(
    procedure: str, version: int, message: str
) -> None:
    with pytest.raises(UnknownFormVersion) as caught:
        form_model(procedure, version)

    assert str(caught.value) == message
    assert isinstance(caught.value, LookupError)
    assert caught.value.__suppress_context__
