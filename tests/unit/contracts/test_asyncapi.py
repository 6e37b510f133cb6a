"""The committed AsyncAPI document is current, complete, and says what is really sent."""

from __future__ import annotations

import inspect
import json
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts import Headers, events
from contracts.asyncapi import (
    DOCUMENT_PATH,
    REGENERATE,
    build_document,
    channel_id,
    integration_events,
    main,
    owner,
    render,
)
from contracts.base import DomainEvent
from contracts.envelope import Commit, EventMeta, StoredEvent
from contracts.events.intake import ApplicationSubmitted
from contracts.naming import Namespace

ROOT = Path(__file__).resolve().parents[3]
STALE = f"contracts/asyncapi.json is out of date: run `{REGENERATE}` and commit it"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document()


def declared_events() -> list[type[DomainEvent]]:
    """Every event class defined in a module of ``contracts.events``, found by walking them."""
    found = []
    for module_name in events.__all__:
        module = getattr(events, module_name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, DomainEvent) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_the_committed_document_is_the_generated_one() -> None:
    committed = DOCUMENT_PATH.read_text(encoding="utf-8")
    stale = committed != render(build_document())
    assert not stale, STALE


def test_it_is_an_asyncapi_3_document_of_this_package(document: dict[str, Any]) -> None:
    with (ROOT / "pyproject.toml").open("rb") as file:
        version = tomllib.load(file)["project"]["version"]

    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["title"] == "RathausCloud events"
    assert document["info"]["version"] == version
    assert document["defaultContentType"] == "application/json"


def test_every_declared_event_is_a_message_of_its_owner(document: dict[str, Any]) -> None:
    declared = declared_events()
    messages = document["components"]["messages"]

    assert {cls.type_name for cls in declared} == set(messages)
    for cls in declared:
        message = messages[cls.type_name]
        cid = channel_id(owner(cls), cls.aggregate_type)
        assert cls.type_name in document["channels"][cid]["messages"]
        assert {"$ref": f"#/channels/{cid}/messages/{cls.type_name}"} in document["operations"][
            f"{cid}.append"
        ]["messages"]
        assert message["x-event-type"] == cls.type_name
        assert message["x-event-version"] == cls.version
        assert message["description"].startswith(inspect.cleandoc(cls.__doc__ or ""))


def test_the_owner_sends_on_one_channel_per_aggregate_type(document: dict[str, Any]) -> None:
    production = Namespace()
    for cls in declared_events():
        service = owner(cls)
        cid = channel_id(service, cls.aggregate_type)
        channel = document["channels"][cid]
        address = channel["address"].format(tenant="14612000", aggregate_id="0190f3c4")

        assert address == production.aggregate_subject(
            service, "14612000", cls.aggregate_type, "0190f3c4"
        )
        assert set(channel["parameters"]) == {"tenant", "aggregate_id"}
        assert channel["x-jetstream"]["stream"] == production.stream(service)
        assert document["operations"][f"{cid}.append"]["action"] == "send"
        assert document["operations"][f"{cid}.append"]["channel"] == {"$ref": f"#/channels/{cid}"}


def test_personal_fields_are_marked_as_sealed_or_erased(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    data = schemas["ApplicationSubmitted"]["properties"]

    for name in ("contact", "form", "attachments", "tracking_url"):
        field = data[name]
        assert field["x-personal"] is True
        assert {"$ref": "#/components/schemas/EncryptedValue"} in field["oneOf"]
        assert "AES-256-GCM" in field["description"]
        assert "null once the key has been destroyed" in field["description"]
    for name in ("application_id", "procedure", "form_version", "submitted_at"):
        assert "x-personal" not in data[name]
    message = document["components"]["messages"]["intake.ApplicationSubmitted"]
    assert message["x-personal-fields"] == sorted(ApplicationSubmitted.personal_fields())


def test_exactly_the_personal_fields_of_every_event_are_marked(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for cls in integration_events():
        stored = schemas[f"StoredEvent.{cls.type_name}"]
        data = resolve(document, stored["properties"]["data"]["$ref"])
        marked = {name for name, field in data["properties"].items() if field.get("x-personal")}
        assert marked == cls.personal_fields(), cls.type_name


def test_a_message_is_a_commit_holding_that_event(document: dict[str, Any]) -> None:
    message = document["components"]["messages"]["intake.ProcedureOffered"]
    payload = message["payload"]
    events_schema = payload["properties"]["events"]

    assert payload["allOf"] == [{"$ref": "#/components/schemas/Commit"}]
    assert set(payload["properties"]) <= set(Commit.model_fields)
    assert events_schema["contains"] == {
        "$ref": "#/components/schemas/StoredEvent.intake.ProcedureOffered"
    }
    # The town aggregate's commits mix profile and procedure events (catalogue sync).
    assert {"$ref": "#/components/schemas/StoredEvent.intake.TownProfilePublished"} in (
        events_schema["items"]["oneOf"]
    )
    pattern = message["headers"]["properties"][Headers.EVENT_TYPES]["pattern"]
    assert pattern == r"(^|,)intake\.ProcedureOffered/2(,|$)"


def test_the_stored_form_pins_the_envelope_to_the_event(document: dict[str, Any]) -> None:
    stored = document["components"]["schemas"]["StoredEvent.casework.CaseDecided"]

    assert set(stored["properties"]) <= set(StoredEvent.model_fields)
    pinned = stored["properties"]["meta"]["properties"]
    assert set(pinned) <= set(EventMeta.model_fields)
    assert pinned["version"] == {"const": 3}
    assert pinned["type"] == {"const": "casework.CaseDecided"}


def test_the_headers_schema_names_every_commit_header(document: dict[str, Any]) -> None:
    headers = document["components"]["schemas"]["CommitHeaders"]
    constants = {v for k, v in vars(Headers).items() if k.isupper()}

    assert set(headers["properties"]) == constants
    assert set(headers["required"]) == {
        Headers.MSG_ID,
        Headers.EXPECTED_LAST_SUBJECT_SEQUENCE,
        Headers.EVENT_TYPES,
        Headers.TENANT,
        Headers.CORRELATION_ID,
    }


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    found = sorted(set(refs(document)))

    assert found
    for ref in found:
        assert ref.startswith("#/"), ref
        resolve(document, ref)


def test_events_registered_outside_contracts_stay_out() -> None:
    import tests.support.events  # noqa: F401  (registers test.* events)

    document = build_document()

    assert not [name for name in document["components"]["messages"] if name.startswith("test.")]
    assert render(document) == DOCUMENT_PATH.read_text(encoding="utf-8")


def test_the_command_writes_and_checks_the_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "asyncapi.json"

    assert main(["--check", "--path", str(path)]) == 1
    assert main(["--path", str(path)]) == 0
    assert json.loads(path.read_text(encoding="utf-8")) == build_document()
    assert main(["--check", "--path", str(path)]) == 0

    path.write_text(path.read_text(encoding="utf-8").replace("3.0.0", "2.6.0"), encoding="utf-8")
    capsys.readouterr()
    assert main(["--check", "--path", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"run `{REGENERATE}`" in err
    assert '+  "asyncapi": "3.0.0",' in err
