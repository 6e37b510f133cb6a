"""The AsyncAPI 3.0 document of the suite's events, generated from the contracts.

Every integration event declared under ``contracts/events`` becomes a message on the channel
of its owning service and aggregate type. A message's payload is what really travels: one
commit (all events of one command on one aggregate) as the event store writes it, personal
fields sealed. The document is committed as ``contracts/asyncapi.json`` so that people and
tools can read it without running our code; a unit test fails when it is stale. Regenerate it
whenever an event, the envelope or a name changes::

    python -m contracts.asyncapi          # write contracts/asyncapi.json
    python -m contracts.asyncapi --check  # exit 1 if the committed file is out of date
"""

from __future__ import annotations

import argparse
import difflib
import inspect
import json
import re
import sys
import tomllib
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from contracts.base import REGISTRY, DomainEvent
from contracts.envelope import Ags, Commit, EncryptedValue, EventMeta, Headers, StoredEvent
from contracts.naming import _TOKEN, SUBJECT_ROOT, Namespace, Service

JsonSchema = dict[str, Any]

DOCUMENT_PATH = Path(__file__).with_name("asyncapi.json")
REGENERATE = "python -m contracts.asyncapi"
PACKAGE = "rathauscloud"
SCHEMAS = "#/components/schemas/"
COMMIT_HEADERS = "CommitHeaders"
_PRODUCTION = Namespace()
_AGS_PATTERN: str = TypeAdapter(Ags).json_schema()["pattern"]
_ANNOTATION_KEYS = frozenset({"title", "description", "default"})
_DESCRIPTION = "Write contracts/asyncapi.json, the AsyncAPI document of the suite's events."

SEALING_NOTE = (
    "In the log a non-null value is sealed with AES-256-GCM under the case's data key "
    "(`meta.data_key`), bound to the event id and field name, and stored as an EncryptedValue "
    '`{"$pii": "<base64>"}`. Readers get the decoded value, or null once the key has been '
    "destroyed (erasure)."
)
PERSONAL_NOTE = f"Personal data. {SEALING_NOTE}"

# What each header of a commit says. Every constant of ``Headers`` needs an entry here.
_HEADERS: dict[str, JsonSchema] = {
    Headers.MSG_ID: {
        "format": "uuid",
        "description": "The commit id (= `commit_id`): JetStream stores a retried commit once "
        "within the stream's duplicate window.",
    },
    Headers.EXPECTED_LAST_SUBJECT_SEQUENCE: {
        "pattern": r"^\d+$",
        "description": "Stream sequence of the aggregate's last event the writer had seen, `0` "
        "for a new aggregate. JetStream refuses the commit if the subject has moved on "
        "(optimistic concurrency).",
    },
    Headers.EVENT_TYPES: {
        "pattern": r"^[^,/]+/\d+(,[^,/]+/\d+)*$",
        "description": "`<type>/<version>` of every event in the commit, comma-separated, in "
        "order: lets a consumer route or skip a commit without parsing its body.",
    },
    Headers.TENANT: {
        "pattern": _AGS_PATTERN,
        "description": "AGS of the town, the same as the subject's tenant token.",
    },
    Headers.CORRELATION_ID: {
        "format": "uuid",
        "description": "Shared by everything one original request caused.",
    },
    Headers.DATA_KEY: {
        "description": "Id of the data key the commit's personal fields are sealed with; "
        "present when the writer named one.",
    },
    Headers.TRACEPARENT: {
        "pattern": r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
        "description": "W3C trace context of the write, when it was traced.",
    },
    Headers.TRACESTATE: {"description": "W3C vendor trace state, when there is any."},
}
_OPTIONAL_HEADERS = frozenset({Headers.DATA_KEY, Headers.TRACEPARENT, Headers.TRACESTATE})


def integration_events() -> list[type[DomainEvent]]:
    """The registered events declared under ``contracts/events``, sorted by type name.

    Events registered elsewhere (a service's private events, test events) are not contracts
    and stay out, so the document does not depend on what else happens to be imported.
    """
    return [cls for cls in REGISTRY.all() if cls.__module__.startswith("contracts.events.")]


def owner(cls: type[DomainEvent]) -> Service:
    """The service that owns (publishes) an event: the first part of its type name."""
    prefix = cls.type_name.split(".", 1)[0]
    try:
        return Service(prefix)
    except ValueError:
        raise ValueError(f"{cls.type_name}: {prefix!r} is not a service") from None


def channel_id(service: Service, aggregate_type: str) -> str:
    """The id of the channel carrying one aggregate type of one service."""
    return f"{service.value}.{aggregate_type}"


def package_version() -> str:
    """The version in ``pyproject.toml`` of this checkout, else of the installed package."""
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    if pyproject.is_file():
        with pyproject.open("rb") as file:
            project = tomllib.load(file).get("project", {})
        if project.get("name") == PACKAGE:
            return str(project["version"])
    return metadata.version(PACKAGE)


def build_document() -> JsonSchema:
    """The whole AsyncAPI 3.0.0 document as a JSON-ready dict."""
    events = integration_events()
    schemas, names = _model_schemas(events)
    schemas[COMMIT_HEADERS] = _commit_headers()
    by_channel: dict[str, list[type[DomainEvent]]] = {}
    for cls in events:
        by_channel.setdefault(channel_id(owner(cls), cls.aggregate_type), []).append(cls)
        schemas[names[cls]] = _mark_personal(schemas[names[cls]], cls.personal_fields())
        schemas[_stored_name(cls)] = _stored_event(cls, names[cls])
    channels: JsonSchema = {}
    operations: JsonSchema = {}
    messages: JsonSchema = {}
    for cid, members in sorted(by_channel.items()):
        channels[cid] = _channel(members)
        operations[f"{cid}.append"] = _operation(cid, members)
        messages.update({cls.type_name: _message(cls, members) for cls in members})
    return {
        "asyncapi": "3.0.0",
        "info": _info(),
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": schemas,
            "messages": messages,
            "parameters": _parameters(),
        },
    }


def render(document: JsonSchema) -> str:
    """Stable text of the document: sorted keys, two-space indent, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _model_schemas(
    events: Sequence[type[DomainEvent]],
) -> tuple[dict[str, JsonSchema], dict[object, str]]:
    """JSON Schemas of the events and the envelope, as serialised into the log."""
    mode: JsonSchemaMode = "serialization"
    models: list[type[BaseModel]] = [*events, Commit, StoredEvent, EventMeta, EncryptedValue]
    refs, top = models_json_schema([(m, mode) for m in models], ref_template=SCHEMAS + "{model}")
    names: dict[object, str] = {
        model: ref["$ref"].removeprefix(SCHEMAS) for (model, _), ref in refs.items()
    }
    return dict(top.get("$defs", {})), names


def _ref(name: str) -> JsonSchema:
    return {"$ref": SCHEMAS + name}


def _stored_name(cls: type[DomainEvent]) -> str:
    return f"StoredEvent.{cls.type_name}"


def _docstring(cls: type[DomainEvent]) -> str:
    return inspect.cleandoc(cls.__dict__.get("__doc__") or cls.type_name)


def _mark_personal(schema: JsonSchema, personal: frozenset[str]) -> JsonSchema:
    """An event's data schema with each personal field either decoded or sealed."""
    properties = dict(schema["properties"])
    for name in sorted(personal):
        properties[name] = _personal_property(properties[name])
    return {**schema, "properties": properties}


def _personal_property(field: JsonSchema) -> JsonSchema:
    kept = {key: value for key, value in field.items() if key in _ANNOTATION_KEYS}
    decoded = {key: value for key, value in field.items() if key not in _ANNOTATION_KEYS}
    if "$ref" in decoded or "not" in decoded:
        decoded = {"allOf": [decoded]}
    sealed = _ref("EncryptedValue")
    # The codec takes any {"$pii": ...} object for a sealed value, so a decoded value never
    # has that shape; saying so keeps ``oneOf`` exclusive for free-form fields (a dict).
    decoded = {"title": "decoded value", **decoded, "not": sealed}
    own = kept.get("description")
    return {
        **kept,
        "description": f"{own.rstrip('.')}. {PERSONAL_NOTE}" if own else PERSONAL_NOTE,
        "oneOf": [decoded, sealed],
        "x-personal": True,
    }


def _stored_event(cls: type[DomainEvent], data_name: str) -> JsonSchema:
    """One event as it sits in a commit: envelope metadata pinned to this type, and its data."""
    pinned = {
        "type": {"const": cls.type_name},
        "version": {"const": cls.version},
        "aggregate_type": {"const": cls.aggregate_type},
    }
    return {
        "title": f"{cls.type_name} v{cls.version}, as stored",
        "description": _docstring(cls),
        "allOf": [_ref("StoredEvent")],
        "properties": {"meta": {"properties": pinned}, "data": _ref(data_name)},
    }


def _commit_headers() -> JsonSchema:
    names = [v for k, v in vars(Headers).items() if k.isupper() and isinstance(v, str)]
    missing = sorted(set(names) - set(_HEADERS))
    if missing:
        raise KeyError(f"describe the headers {missing} in contracts/asyncapi.py")
    return {
        "title": "Commit headers",
        "description": "NATS headers of a commit message (names are case-sensitive).",
        "type": "object",
        "properties": {name: {"type": "string", **_HEADERS[name]} for name in names},
        "required": [name for name in names if name not in _OPTIONAL_HEADERS],
        "additionalProperties": {"type": "string"},
    }


def _message(cls: type[DomainEvent], siblings: Sequence[type[DomainEvent]]) -> JsonSchema:
    """A commit holding at least one ``cls`` event, among other events of its aggregate."""
    doc = _docstring(cls)
    marker = re.escape(f"{cls.type_name}/{cls.version}")
    items = [_ref(_stored_name(sibling)) for sibling in siblings]
    message: JsonSchema = {
        "name": cls.type_name,
        "title": f"{cls.__name__} v{cls.version}",
        "summary": doc.splitlines()[0],
        "description": "\n\n".join([doc, *_message_notes(cls)]),
        "contentType": "application/json",
        "headers": {
            "allOf": [_ref(COMMIT_HEADERS)],
            "properties": {Headers.EVENT_TYPES: {"pattern": f"(^|,){marker}(,|$)"}},
        },
        "payload": {
            "title": f"Commit with {cls.type_name}",
            "allOf": [_ref("Commit")],
            "properties": {
                "events": {
                    "items": items[0] if len(items) == 1 else {"oneOf": items},
                    "contains": _ref(_stored_name(cls)),
                }
            },
        },
        "correlationId": {
            "description": "Shared by everything one original request caused.",
            "location": f"$message.header#/{Headers.CORRELATION_ID}",
        },
        "tags": [{"name": owner(cls).value}],
        "x-event-type": cls.type_name,
        "x-event-version": cls.version,
        "x-aggregate-type": cls.aggregate_type,
    }
    if cls.personal_fields():
        message["x-personal-fields"] = sorted(cls.personal_fields())
    return message


def _message_notes(cls: type[DomainEvent]) -> list[str]:
    notes = [
        f"One NATS message is one commit: every event one command produced on one "
        f"`{cls.aggregate_type}` aggregate, stored together or not at all. This message is a "
        f"commit holding at least one `{cls.type_name}`; `{Headers.EVENT_TYPES}` lists all.",
    ]
    if cls.version > 1:
        older = "version 1" if cls.version == 2 else f"versions 1 to {cls.version - 1}"
        notes.append(
            f"Written as version {cls.version}. The log may still hold {older}; readers "
            f"upcast it on read and only ever see version {cls.version}."
        )
    if cls.personal_fields():
        fields = ", ".join(f"`{name}`" for name in sorted(cls.personal_fields()))
        notes.append(f"Personal fields ({fields}) are sealed in the log; null after erasure.")
    return notes


def _channel(members: Sequence[type[DomainEvent]]) -> JsonSchema:
    service, aggregate_type = owner(members[0]), members[0].aggregate_type
    address = f"{SUBJECT_ROOT}.{service.value}.{{tenant}}.{aggregate_type}.{{aggregate_id}}"
    return {
        "address": address,
        "title": f"{service.value}: {aggregate_type}",
        "description": (
            f"Events of `{aggregate_type}` aggregates, owned by {service.value}. One subject "
            "per aggregate, so JetStream's per-subject sequence is the aggregate's version and "
            "carries the optimistic concurrency check."
        ),
        "parameters": {
            "tenant": {"$ref": "#/components/parameters/tenant"},
            "aggregate_id": {"$ref": "#/components/parameters/aggregate_id"},
        },
        "messages": {
            cls.type_name: {"$ref": f"#/components/messages/{cls.type_name}"} for cls in members
        },
        "tags": [{"name": service.value}],
        "x-jetstream": {
            "stream": _PRODUCTION.stream(service),
            "stream_subjects": _PRODUCTION.stream_subjects(service),
            "aggregate_type_filter": _PRODUCTION.aggregate_type_filter(service, aggregate_type),
        },
    }


def _operation(cid: str, members: Sequence[type[DomainEvent]]) -> JsonSchema:
    service = owner(members[0]).value
    return {
        "action": "send",
        "channel": {"$ref": f"#/channels/{cid}"},
        "title": f"{service} appends to {members[0].aggregate_type} aggregates",
        "summary": "Only the owning service writes; every other service reads the stream.",
        "messages": [{"$ref": f"#/channels/{cid}/messages/{cls.type_name}"} for cls in members],
        "tags": [{"name": service}],
    }


def _parameters() -> JsonSchema:
    return {
        "tenant": {
            "description": "AGS (Amtlicher Gemeindeschlüssel) of the town: 8 digits.",
            "examples": ["14612000"],
            "location": f"$message.header#/{Headers.TENANT}",
            "x-pattern": _AGS_PATTERN,
        },
        "aggregate_id": {
            "description": "Id of the aggregate; one subject token (no dots, no wildcards).",
            "location": "$message.payload#/events/0/meta/aggregate_id",
            "x-pattern": _TOKEN.pattern,
        },
    }


def _info() -> JsonSchema:
    staging = Namespace("staging")
    overview = [
        "Every integration event of the suite, as its owning service appends it to NATS "
        "JetStream. Each service owns one stream; other services read it through their own "
        "durable consumers (not listed here).",
        "",
        f"- **Subjects**: one per aggregate, "
        f"`{SUBJECT_ROOT}.<service>.<tenant>.<aggregate_type>.<aggregate_id>`.",
        "- **One message, one commit**: all events of one command on one aggregate (1..n, "
        "possibly of different types), atomically. A message below is a commit holding at "
        f"least one event of its type, so a mixed commit matches several of them; the "
        f"`{Headers.EVENT_TYPES}` header lists its events.",
        f"- **Personal data** (fields marked `x-personal`): {SEALING_NOTE}",
        "- **Versions**: producers write the current version; older stored versions are "
        "upcast on read.",
        f"- **Namespaces**: an installation with namespace `{staging.prefix}` uses subjects "
        f"like `{staging.stream_subjects(Service.INTAKE)}` and streams like "
        f"`{staging.stream(Service.INTAKE)}`. This document shows production names.",
        "",
        f"Generated from `contracts/` by `{REGENERATE}`; do not edit by hand.",
    ]
    return {
        "title": "RathausCloud events",
        "version": package_version(),
        "description": "\n".join(overview),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Write the document, or with ``--check`` report whether the written one is stale."""
    parser = argparse.ArgumentParser(prog=REGENERATE, description=_DESCRIPTION)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument("--path", type=Path, default=DOCUMENT_PATH, help="document to write")
    args = parser.parse_args(argv)
    wanted = render(build_document())
    if args.check:
        return _check(args.path, wanted)
    args.path.write_text(wanted, encoding="utf-8")
    print(f"wrote {args.path}")
    return 0


def _check(path: Path, wanted: str) -> int:
    current = path.read_text(encoding="utf-8") if path.is_file() else ""
    if current == wanted:
        print(f"{path} is up to date")
        return 0
    diff = list(
        difflib.unified_diff(
            current.splitlines(), wanted.splitlines(), "committed", "generated", lineterm="", n=1
        )
    )
    print("\n".join(diff[:40]), file=sys.stderr)
    if len(diff) > 40:
        print(f"... and {len(diff) - 40} more diff lines", file=sys.stderr)
    print(f"{path} is out of date: run `{REGENERATE}` and commit it.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
