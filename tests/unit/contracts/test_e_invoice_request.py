"""The optional XRechnung part of the forms businesses apply with: a new form version each,
asked when ticked, refused in German when incomplete, and not part of the older versions."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.procedures import procedure
from contracts.procedures.e_invoice import EInvoiceRequest, requested_e_invoice
from tests.unit.contracts.forms import ON, form_data, refusals
from tests.unit.contracts.test_gewerbeanmeldung_v2 import v2

REQUEST = {
    "buyer_name": "Gerüstbau Zwetschgenbaum GmbH",
    "buyer_address": {"street": "Am Gerüst 3", "postcode": "04109", "city": "Leipzig"},
    "buyer_reference": "991-01234-12",
    "email": "rechnungseingang@geruestbau.example",
}
VERSIONS = {
    "gewerbeanmeldung": 3,
    "gewerbeummeldung": 2,
    "sondernutzungserlaubnis": 2,
    "verkehrsrechtliche-anordnung": 2,
}


def base_form(procedure_id: str) -> dict[str, Any]:
    """The example form in the shape of the version before the XRechnung part."""
    return v2() if procedure_id == "gewerbeanmeldung" else form_data(procedure_id)


@pytest.mark.parametrize("procedure_id", list(VERSIONS))
def test_the_current_version_carries_the_request_when_ticked(procedure_id: str) -> None:
    definition = procedure(procedure_id)
    assert definition.current_version == VERSIONS[procedure_id]
    model = definition.form(VERSIONS[procedure_id])
    data = base_form(procedure_id) | {"e_invoice_wanted": True, "e_invoice": REQUEST}

    form = model.model_validate(data, context={"today": ON})
    stored = model.read(form.model_dump(mode="json"))

    assert requested_e_invoice(stored) == EInvoiceRequest.model_validate(REQUEST)
    assert "Käuferreferenz" in str(model.model_json_schema())


@pytest.mark.parametrize("procedure_id", list(VERSIONS))
def test_without_the_box_ticked_nothing_is_asked_for(procedure_id: str) -> None:
    model = procedure(procedure_id).form(VERSIONS[procedure_id])
    plain = model.model_validate(base_form(procedure_id), context={"today": ON})
    unticked = model.model_validate(
        base_form(procedure_id) | {"e_invoice": REQUEST}, context={"today": ON}
    )

    assert requested_e_invoice(plain) is None
    assert requested_e_invoice(unticked) is None


@pytest.mark.parametrize("procedure_id", list(VERSIONS))
def test_the_older_version_knows_no_xrechnung(procedure_id: str) -> None:
    older = procedure(procedure_id).form(VERSIONS[procedure_id] - 1)
    data = base_form(procedure_id) | {"e_invoice_wanted": True, "e_invoice": REQUEST}

    assert set(refusals(older, data)) == {("e_invoice_wanted",), ("e_invoice",)}
    assert (
        requested_e_invoice(older.model_validate(base_form(procedure_id), context={"today": ON}))
        is None
    )


def test_ticked_without_the_request_is_refused_at_the_request() -> None:
    model = procedure("sondernutzungserlaubnis").form(2)
    data = form_data("sondernutzungserlaubnis") | {"e_invoice_wanted": True}

    assert refusals(model, data) == {("e_invoice",): "Diese Angabe fehlt."}


def test_an_incomplete_request_is_refused_field_by_field_in_german() -> None:
    model = procedure("verkehrsrechtliche-anordnung").form(2)
    request = {k: v for k, v in REQUEST.items() if k != "buyer_reference"} | {"email": "kein"}
    data = form_data("verkehrsrechtliche-anordnung") | {
        "e_invoice_wanted": True,
        "e_invoice": request,
    }

    found = refusals(model, data)
    assert found[("e_invoice", "buyer_reference")] == "Diese Angabe fehlt."
    assert found[("e_invoice", "email")].startswith("Bitte geben Sie eine gültige E-Mail-Adresse")
    assert set(found) == {("e_invoice", "buyer_reference"), ("e_invoice", "email")}
