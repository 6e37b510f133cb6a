"""Stream, subject, bucket and consumer names, with and without a namespace."""

from __future__ import annotations

import pytest

from contracts.naming import Namespace, Service, check_token

PRODUCTION = Namespace()
TEST_RUN = Namespace("t1f2e3d4")


def test_an_aggregate_has_its_own_subject_in_its_service_stream() -> None:
    subject = PRODUCTION.aggregate_subject(Service.CASEWORK, "14612000", "case", "0190f3c4")

    assert subject == "ev.casework.14612000.case.0190f3c4"
    assert PRODUCTION.stream_subjects(Service.CASEWORK) == "ev.casework.>"
    assert PRODUCTION.aggregate_type_filter(Service.CASEWORK, "case") == "ev.casework.*.case.*"


def test_each_service_owns_one_stream_named_after_it() -> None:
    assert [PRODUCTION.stream(service) for service in Service] == [
        "INTAKE",
        "CASEWORK",
        "BILLING",
        "ARCHIVE",
        "NOTIFY",
    ]


def test_production_names_carry_no_prefix() -> None:
    assert PRODUCTION.key_bucket() == "rc_data_keys"
    assert PRODUCTION.attachment_bucket() == "rc_attachments"
    assert PRODUCTION.durable(Service.BILLING, "fees") == "billing-fees"


def test_a_namespace_prefixes_every_name() -> None:
    assert TEST_RUN.stream(Service.INTAKE) == "t1f2e3d4_INTAKE"
    assert TEST_RUN.stream_subjects(Service.INTAKE) == "t1f2e3d4.ev.intake.>"
    assert (
        TEST_RUN.aggregate_subject(Service.INTAKE, "14612000", "town", "14612000")
        == "t1f2e3d4.ev.intake.14612000.town.14612000"
    )
    assert TEST_RUN.aggregate_type_filter(Service.INTAKE, "town") == "t1f2e3d4.ev.intake.*.town.*"
    assert TEST_RUN.key_bucket() == "t1f2e3d4_rc_data_keys"
    assert TEST_RUN.attachment_bucket() == "t1f2e3d4_rc_attachments"
    assert TEST_RUN.durable(Service.NOTIFY, "outbox") == "t1f2e3d4_notify-outbox"


BAD_TOKENS = ["a.b", "*", ">", "case.>", "a b", "", "Gemeinde-ä"]


@pytest.mark.parametrize("token", BAD_TOKENS)
@pytest.mark.parametrize("position", ["tenant", "aggregate_type", "aggregate_id"])
def test_tokens_that_would_change_the_subject_are_refused(token: str, position: str) -> None:
    parts = {"tenant": "14612000", "aggregate_type": "case", "aggregate_id": "0190f3c4"}
    parts[position] = token

    with pytest.raises(ValueError, match="must match"):
        PRODUCTION.aggregate_subject(Service.CASEWORK, **parts)


@pytest.mark.parametrize("token", [t for t in BAD_TOKENS if t])
def test_a_namespace_or_projection_with_a_bad_token_is_refused(token: str) -> None:
    with pytest.raises(ValueError, match="namespace"):
        Namespace(token)
    with pytest.raises(ValueError, match="projection"):
        PRODUCTION.durable(Service.BILLING, token)


def test_ids_with_dashes_and_underscores_are_valid_tokens() -> None:
    assert check_token("0190f3c4-6b1a_7cc2", "aggregate id") == "0190f3c4-6b1a_7cc2"
