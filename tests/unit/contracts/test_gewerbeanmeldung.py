"""The Gewerbeanmeldung form: what a valid application looks like, and German refusals."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.procedures import FORMS, ProcedureId
from contracts.procedures.gewerbeanmeldung import GewerbeanmeldungForm, LegalForm


def _application(**changes: Any) -> dict[str, Any]:
    """A complete, valid form as intake receives it (JSON types)."""
    form: dict[str, Any] = {
        "applicant": {
            "family_name": "Schmidt",
            "given_names": "Anna Maria",
            "birth_date": "1988-04-17",
            "nationality": "DE",
            "email": "anna.schmidt@example.org",
            "address": {"street": "Hauptstraße 5", "postcode": "01067", "city": "Dresden"},
        },
        "business": {
            "trade_name": "Schmidt Webdesign",
            "legal_form": "einzelunternehmen",
            "address": {"street": "Königsbrücker Str. 12", "postcode": "01099", "city": "Dresden"},
            "activity": "Gestaltung und Programmierung von Webseiten",
            "start_date": (date.today() + timedelta(days=14)).isoformat(),
            "employees_part_time": 1,
        },
        "declaration_truthful": True,
    }
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        target = form
        for parent in parents:
            target = target[parent]
        target[leaf] = value
    return form


def test_a_complete_application_is_valid() -> None:
    form = GewerbeanmeldungForm.model_validate(_application())

    assert form.applicant.birth_date == date(1988, 4, 17)
    assert form.business.legal_form is LegalForm.EINZELUNTERNEHMEN
    assert form.business.regulated_activities == []
    assert FORMS[ProcedureId.GEWERBEANMELDUNG][1] is GewerbeanmeldungForm


def test_a_birth_date_in_the_future_is_refused_in_german() -> None:
    next_month = (date.today() + timedelta(days=30)).isoformat()

    with pytest.raises(ValidationError) as caught:
        GewerbeanmeldungForm.model_validate(_application(applicant__birth_date=next_month))

    [error] = caught.value.errors()
    assert error["loc"] == ("applicant", "birth_date")
    assert error["type"] == "value_error"
    assert str(error["ctx"]["error"]) == "Das Geburtsdatum darf nicht in der Zukunft liegen."


ON = date(2026, 6, 15)


def submit(**changes: Any) -> GewerbeanmeldungForm:
    """Validate as intake does on ``ON`` (the context fixes the day)."""
    data = _application(**{"business__start_date": "2026-07-01", **changes})
    return GewerbeanmeldungForm.model_validate(data, context={"today": ON})


def refusal(**changes: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        submit(**changes)
    [error] = caught.value.errors()
    return str(error["ctx"]["error"])


def test_the_applicant_is_of_age_on_the_day_of_the_submission() -> None:
    assert submit(applicant__birth_date="2008-06-15").applicant.birth_date == date(2008, 6, 15)
    assert "volljährig" in refusal(applicant__birth_date="2008-06-16")
    assert "volljährig" in refusal(applicant__birth_date="2020-01-01")  # aged 6
    assert refusal(applicant__birth_date="1800-01-01") == "Bitte prüfen Sie das Geburtsdatum."


def test_a_trade_starts_neither_long_ago_nor_far_ahead() -> None:
    assert "mehr als ein Jahr zurück" in refusal(business__start_date="1990-01-01")
    assert "höchstens ein Jahr vor" in refusal(business__start_date="2999-01-01")
    assert submit(business__start_date="2025-06-15").business.start_date == date(2025, 6, 15)


def test_a_stored_application_is_read_without_the_submission_checks() -> None:
    """Read back years later, the start lies long in the past: that changes nothing."""
    stored = _application(business__start_date="1990-01-01", applicant__birth_date="2020-01-01")
    form = GewerbeanmeldungForm.read(stored)
    assert form.business.start_date == date(1990, 1, 1)


def test_outside_eu_eea_and_switzerland_the_residence_title_is_asked() -> None:
    with pytest.raises(ValidationError) as caught:
        submit(applicant__nationality="UA")
    [error] = caught.value.errors()
    assert error["loc"] == ("applicant", "residence_permit_allows_self_employment")
    assert error["type"] == "missing"
    assert submit(
        applicant__nationality="UA", applicant__residence_permit_allows_self_employment=True
    )
    schema = GewerbeanmeldungForm.model_json_schema()["$defs"]["Applicant"]
    shown = schema["properties"]["residence_permit_allows_self_employment"]["x-show-if"]
    assert shown["field"] == "nationality"
    assert "DE" in shown["not_in"]


def test_without_declaring_the_truth_the_form_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        GewerbeanmeldungForm.model_validate(_application(declaration_truthful=False))

    [error] = caught.value.errors()
    assert error["loc"] == ("declaration_truthful",)
    assert error["type"] == "literal_error"


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        GewerbeanmeldungForm.model_validate(_application(business__vat_id="DE123456789"))

    assert [e["type"] for e in caught.value.errors()] == ["extra_forbidden"]


@pytest.mark.parametrize("address", ["a@[b.de", "anna@localhost", "anna schmidt@example.org"])
def test_an_address_the_mail_library_cannot_use_is_refused_in_german(address: str) -> None:
    with pytest.raises(ValidationError) as caught:
        GewerbeanmeldungForm.model_validate(_application(applicant__email=address))

    [error] = caught.value.errors()
    assert error["loc"] == ("applicant", "email")
    assert "gültige E-Mail-Adresse" in str(error["ctx"]["error"])


def test_an_address_with_umlauts_is_a_valid_address() -> None:
    form = GewerbeanmeldungForm.model_validate(_application(applicant__email="jörg@bäcker.de"))
    assert form.applicant.email == "jörg@bäcker.de"
