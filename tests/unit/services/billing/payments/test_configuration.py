"""A town's payment provider from its member file; production fails closed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runtime.members import read_member_files
from services.billing.payments.configuration import (
    DEV_PAYMENT_KEY,
    PaymentSectionInvalid,
    load_providers,
    read_section,
)

MEMBERS = Path(__file__).resolve().parents[5] / "deploy" / "members"
STRONG = "Zq8-vLr3_T0pWxM2nKd9sYb4HcJe7uFgA1"


def member(**payment: Any) -> dict[str, Any]:
    section = {
        "provider": "giropay-like",
        "base_url": "https://pay.example",
        "merchant": "14729410",
        "key_env": "BILLING_PAYMENT_KEY_14729410",
        **payment,
    }
    return {"town": {"ags": "14729410"}, "billing": {"payment": section}}


def test_every_member_town_names_a_provider_and_a_variable_for_its_key() -> None:
    providers = load_providers(str(MEMBERS), {}, production=False)
    assert len(providers) == len(read_member_files(MEMBERS))
    assert {p.name for p in providers.values()} == {"simulator"}


def test_outside_production_a_missing_key_is_the_development_key() -> None:
    town = read_section(member(), {}, production=False)
    assert town is not None
    assert town.key.get_secret_value() == DEV_PAYMENT_KEY


def test_the_key_comes_from_the_variable_the_file_names() -> None:
    town = read_section(member(), {"BILLING_PAYMENT_KEY_14729410": STRONG}, production=True)
    assert town is not None
    assert town.key.get_secret_value() == STRONG
    assert STRONG not in repr(town)


def test_a_file_without_the_section_has_no_provider() -> None:
    assert read_section({"town": {"ags": "1"}, "billing": {}}, {}, production=True) is None


@pytest.mark.parametrize(
    ("payment", "environ", "wrong"),
    [
        ({}, {}, "BILLING_PAYMENT_KEY_14729410 is required in production"),
        ({}, {"BILLING_PAYMENT_KEY_14729410": DEV_PAYMENT_KEY}, "development value"),
        ({}, {"BILLING_PAYMENT_KEY_14729410": "short"}, "at least 32"),
        ({"provider": "simulator"}, {"BILLING_PAYMENT_KEY_14729410": STRONG}, "tests only"),
        ({"base_url": "http://pay.example"}, {"BILLING_PAYMENT_KEY_14729410": STRONG}, "https"),
    ],
)
def test_production_refuses_what_is_not_fit_for_it(
    payment: dict[str, str], environ: dict[str, str], wrong: str
) -> None:
    with pytest.raises(PaymentSectionInvalid, match=wrong):
        read_section(member(**payment), environ, production=True)


def test_a_key_in_the_member_file_itself_is_refused() -> None:
    with pytest.raises(PaymentSectionInvalid, match="key"):
        read_section(member(key="secret"), {}, production=False)
