"""Who may do what on NATS: one user per service, with the subjects its work needs and no more.

Every service connects as a user of its own (``<namespace>_<service>``, or the bare service
name in the empty namespace) with an allow-list of subjects. The lists are a pure function of
service and namespace (``permissions``), so the development stack, ``deploy/nats/auth.conf``
and the tests all use the same rules. What they say:

- **Events.** A service publishes only to its own stream's subjects (``ev.<service>.>``).
  It may create and update only its own stream. It reads its own stream and the streams it
  follows (``READS``) through consumers, direct gets and message gets. Nobody may delete or
  purge a stream or delete an event (those API subjects are also denied outright).
- **Data keys** (the ``KV_rc_data_keys`` stream behind the key bucket). intake creates keys
  (publishes to ``$KV.rc_data_keys.<id>``) and owns the bucket's configuration; billing creates
  the keys of the incoming e-invoices it receives, and only those (``$KV.rc_data_keys.einvoice.*``:
  an invoice comes from a supplier, not from an application intake took in); the services
  that decrypt personal data (all five) read keys by direct get;
  only archive deletes a key message (erasure) and writes tombstones, the erasure marker and
  re-wrapped keys. billing reads keys too: a fee notice is addressed to the applicant
  (intake's sealed contact and form) and stored sealed with the case's key.
- **Attachments and documents** (``OBJ_rc_attachments``). intake owns the store and writes to
  it (replacing an upload purges its old chunks, so it may purge this stream); casework and
  billing add the documents they issue (decision letters, fee notices) — chunks and meta,
  never a purge, so they never replace an object (``services.casework.documents``,
  ``services.billing.documents``); casework, billing, archive and notify (a letter's or a
  notice's attachment) read; archive deletes an erased case's objects (purge of their
  chunks).
- **Replies.** JetStream answers on the requester's inbox; each user has its own inbox prefix
  (``_INBOX_<namespace>_<service>``, see ``inbox_prefix``) and may subscribe to nothing else,
  so no service can listen to another's answers (a wrapped key, another's events).

Why users with passwords in one account, not an account per service or nkeys/JWT: the streams
are shared — five services read each other's logs and all of them the key bucket — and
JetStream assets live in one account. Separate accounts would need every stream and the
JetStream API exported and imported across accounts, with no finer control than subject
permissions give here. nkeys would keep the secret off the server, but need the ``nkeys``
package (and PyNaCl) on every service; a server configuration that takes the passwords from
its environment (the platform's secret store) keeps them out of every file without it.

What subject permissions cannot express, and so remains: consumer names (``<service>-<name>
_e<epoch>``) cannot be matched by a wildcard, so a service may create, read from or delete any
consumer on a stream it reads (not on others); a key creator (intake) could publish over an
existing key, which would make it unreadable (it can never read or delete one). Object names
travel base64-encoded in the meta subjects, so a document writer (casework, billing) cannot be
limited to its own documents: it could mark another object deleted; it can never purge its
chunks.
"""

from __future__ import annotations

import json
import secrets
import ssl
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog
from faststream.nats import NatsSecurity, NatsUserPassword

from contracts.naming import Namespace, Service

if TYPE_CHECKING:
    from runtime.projection import Projection
    from runtime.settings import ServiceSettings

log = structlog.get_logger(__name__)

READS: Mapping[Service, frozenset[Service]] = {
    Service.INTAKE: frozenset(Service),  # the tracking page follows every stream
    Service.CASEWORK: frozenset(
        {Service.INTAKE, Service.CASEWORK, Service.ARCHIVE, Service.NOTIFY}
    ),  # notify's deliveries: a decision letter's dispatch
    Service.BILLING: frozenset(
        {Service.INTAKE, Service.CASEWORK, Service.BILLING, Service.ARCHIVE}
    ),  # intake's applications and town profiles: a fee notice's addressee and letterhead;
    # archive's erasures: an incoming invoice's data
    Service.ARCHIVE: frozenset(Service),  # files every service's part of a case
    Service.NOTIFY: frozenset(Service),  # billing's fee notices go out by mail too
}
"""Which event streams each service reads (its projections' sources, and its own)."""


def unreadable_sources(service: Service, projections: Iterable[Projection]) -> list[str]:
    """``projection: stream`` for every source a projection of ``service`` follows that its
    NATS user may not read — the consumer could never be made under credentials."""
    return [
        f"{p.name}: {source}"
        for p in projections
        for source in p.sources
        if source not in READS[service]
    ]


KEY_READERS = frozenset(Service)
"""Services that decrypt personal data and therefore read data keys."""
KEY_CREATOR = Service.INTAKE
"""The service that creates data keys of cases; it also owns the bucket's configuration."""
OWN_KEY_CREATORS: Mapping[Service, str] = {Service.BILLING: "einvoice"}
"""Services that create keys under one prefix of their own (``<prefix>.<id>``) and no other:
billing, for each incoming e-invoice (``contracts.events.einvoices.data_key_of``)."""
KEY_DESTROYER = Service.ARCHIVE
"""The one service that destroys data keys (erasure), re-wraps them and keeps the marker."""
ATTACHMENT_OWNER = Service.INTAKE
"""Creates and configures the attachment store, and writes attachments."""
ATTACHMENT_READERS = frozenset({Service.CASEWORK, Service.ARCHIVE, Service.NOTIFY})
DOCUMENT_WRITERS = frozenset({Service.CASEWORK, Service.BILLING})
"""Add the documents they issue to the attachment store (never replace or purge one)."""
ATTACHMENT_ERASER = Service.ARCHIVE

ADMIN = "admin"
"""An operator's user with every right (backups, restores); no service uses it."""


@dataclass(frozen=True)
class Permissions:
    """Subjects a user may publish to and subscribe to; denials win over allowances."""

    publish_allow: tuple[str, ...]
    publish_deny: tuple[str, ...]
    subscribe_allow: tuple[str, ...]


def user_name(ns: Namespace, service: Service) -> str:
    """The NATS user of ``service`` in installation ``ns``."""
    return f"{ns.prefix}_{service.value}" if ns.prefix else service.value


def inbox_prefix(ns: Namespace, service: Service) -> str:
    """The reply-subject prefix of ``service``: the only subjects it may subscribe to."""
    return f"_INBOX_{ns.prefix}_{service.value}" if ns.prefix else f"_INBOX_{service.value}"


def key_bucket_stream(ns: Namespace) -> str:
    """The stream behind the data-key bucket (JetStream's KV naming)."""
    return f"KV_{ns.key_bucket()}"


def attachment_stream(ns: Namespace) -> str:
    """The stream behind the attachment object store (JetStream's object-store naming)."""
    return f"OBJ_{ns.attachment_bucket()}"


def _reading(stream: str) -> list[str]:
    """Reading a stream: info, consumers (durable and ephemeral), fetch, ack, gets."""
    api = "$JS.API"
    return [
        f"{api}.STREAM.INFO.{stream}",
        f"{api}.STREAM.MSG.GET.{stream}",
        f"{api}.DIRECT.GET.{stream}",
        f"{api}.DIRECT.GET.{stream}.>",
        f"{api}.CONSUMER.CREATE.{stream}",
        f"{api}.CONSUMER.CREATE.{stream}.>",
        f"{api}.CONSUMER.DURABLE.CREATE.{stream}.*",
        f"{api}.CONSUMER.INFO.{stream}.*",
        f"{api}.CONSUMER.DELETE.{stream}.*",
        f"{api}.CONSUMER.LIST.{stream}",
        f"{api}.CONSUMER.NAMES.{stream}",
        f"{api}.CONSUMER.MSG.NEXT.{stream}.*",
        f"$JS.ACK.{stream}.>",
        f"$JS.FC.{stream}.>",
    ]


def _owning(stream: str) -> list[str]:
    return [f"$JS.API.STREAM.CREATE.{stream}", f"$JS.API.STREAM.UPDATE.{stream}"]


def _key_rights(ns: Namespace, service: Service) -> list[str]:
    stream, subjects = key_bucket_stream(ns), f"$KV.{ns.key_bucket()}.>"
    rights: list[str] = []
    if service in KEY_READERS:
        rights += [f"$JS.API.STREAM.INFO.{stream}", f"$JS.API.DIRECT.GET.{stream}.{subjects}"]
    if service == KEY_CREATOR:
        rights += [subjects, *_owning(stream)]
    if service in OWN_KEY_CREATORS:
        rights += [f"$KV.{ns.key_bucket()}.{OWN_KEY_CREATORS[service]}.*"]
    if service == KEY_DESTROYER:
        rights += [subjects, *_reading(stream), f"$JS.API.STREAM.MSG.DELETE.{stream}"]
    return rights


def _attachment_rights(ns: Namespace, service: Service) -> list[str]:
    stream, subjects = attachment_stream(ns), f"$O.{ns.attachment_bucket()}"
    rights: list[str] = []
    if service in (ATTACHMENT_OWNER, *ATTACHMENT_READERS, *DOCUMENT_WRITERS, ATTACHMENT_ERASER):
        # nats-py's ObjectStore.get subscribes to an object's chunks without naming the
        # stream, so it asks which stream holds the subject (names only, of any stream).
        rights += [*_reading(stream), "$JS.API.STREAM.NAMES"]
    if service == ATTACHMENT_OWNER:
        rights += [f"{subjects}.>", *_owning(stream), f"$JS.API.STREAM.PURGE.{stream}"]
    if service in DOCUMENT_WRITERS:
        rights += [f"{subjects}.C.>", f"{subjects}.M.>"]
    if service == ATTACHMENT_ERASER:
        rights += [f"{subjects}.M.>", f"$JS.API.STREAM.PURGE.{stream}"]
    return rights


def permissions(ns: Namespace, service: Service) -> Permissions:
    """What ``service`` of installation ``ns`` may publish and subscribe to."""
    own = ns.stream(service)
    publish = [ns.stream_subjects(service), "$JS.API.INFO", *_owning(own)]
    for source in sorted(READS[service]):
        publish += _reading(ns.stream(source))
    publish += _key_rights(ns, service) + _attachment_rights(ns, service)
    streams = [ns.stream(s) for s in Service]
    deny = [f"$JS.API.STREAM.DELETE.{name}" for name in (*streams, key_bucket_stream(ns))]
    deny += [f"$JS.API.STREAM.PURGE.{name}" for name in (*streams, key_bucket_stream(ns))]
    deny += [f"$JS.API.STREAM.MSG.DELETE.{name}" for name in streams]
    deny += [f"$JS.API.STREAM.DELETE.{attachment_stream(ns)}"]
    return Permissions(
        publish_allow=tuple(dict.fromkeys(publish)),
        publish_deny=tuple(deny),
        subscribe_allow=(f"{inbox_prefix(ns, service)}.>",),
    )


def new_password() -> str:
    """256 random bits, spelt so nats-server reads them as a string from its environment.

    The server parses a ``$VARIABLE``'s value like any configuration value: one that starts
    with a digit is taken for a number (and refused). A letter first and hex after is safe.
    """
    return "rc" + secrets.token_hex(32)


def new_passwords() -> dict[str, str]:
    """A random password for each service's user and the admin user."""
    return {name: new_password() for name in [*(s.value for s in Service), ADMIN]}


def password_variable(service: str) -> str:
    """The environment variable the NATS server reads a user's password from (deploy files)."""
    return f"NATS_{service.upper()}_PASSWORD"


def authorization_block(ns: Namespace, passwords: Mapping[str, str] | None = None) -> str:
    """The server's ``authorization`` block for installation ``ns``.

    With ``passwords`` (service name → password) the passwords are written literally (the
    development stack's own file, mode 0600); without, each is read from the server's
    environment (``$NATS_INTAKE_PASSWORD`` …), which nats-server resolves at start and refuses
    to start without. Such a value must read as a string: start it with a letter
    (``new_password``).
    """
    users = [
        _user_entry(user_name(ns, s), _secret(s.value, passwords), permissions(ns, s))
        for s in Service
    ]
    admin = ADMIN if not ns.prefix else f"{ns.prefix}_{ADMIN}"
    users.append(f"    {{user: {json.dumps(admin)}, password: {_secret(ADMIN, passwords)}}}")
    return "authorization {\n  users: [\n" + "\n".join(users) + "\n  ]\n}\n"


def _secret(name: str, passwords: Mapping[str, str] | None) -> str:
    if passwords is None:
        return f"${password_variable(name)}"
    return json.dumps(passwords[name])


def _user_entry(user: str, password: str, rights: Permissions) -> str:
    def listed(subjects: tuple[str, ...]) -> str:
        return "[" + ", ".join(json.dumps(s) for s in subjects) + "]"

    return (
        f"    {{user: {json.dumps(user)}, password: {password}, permissions: {{\n"
        f"      publish: {{allow: {listed(rights.publish_allow)},\n"
        f"                deny: {listed(rights.publish_deny)}}}\n"
        f"      subscribe: {{allow: {listed(rights.subscribe_allow)}}}\n"
        "    }}"
    )


def broker_options(settings: ServiceSettings, service: Service) -> dict[str, Any]:
    """The connection options of ``service``'s NATS broker: credentials, TLS, its inbox.

    Without ``NATS_USER`` the service connects anonymously (the test run's open server);
    a server with users refuses it then.
    """
    tls = _tls_context(settings)
    options: dict[str, Any] = {
        "inbox_prefix": inbox_prefix(settings.ns, service),
        "error_cb": _report_error,
    }
    if settings.nats_user:
        password = settings.nats_password.get_secret_value() if settings.nats_password else ""
        options["security"] = NatsUserPassword(settings.nats_user, password, ssl_context=tls)
    elif tls is not None:
        options["security"] = NatsSecurity(ssl_context=tls)
    return options


def _tls_context(settings: ServiceSettings) -> ssl.SSLContext | None:
    """TLS towards NATS when a CA is configured (and a client certificate, where required)."""
    if not settings.nats_tls_ca_file:
        return None
    context = ssl.create_default_context(cafile=settings.nats_tls_ca_file)
    if settings.nats_tls_cert_file:
        context.load_cert_chain(settings.nats_tls_cert_file, settings.nats_tls_key_file or None)
    return context


async def _report_error(error: Exception) -> None:
    """NATS errors the client cannot raise to a caller, e.g. a refused subject: say them."""
    log.warning("nats error", error=str(error))


AUTH_CONF_HEADER = """\
# The NATS users of RathausCloud (namespace ""): one per service, with the subjects its work
# needs (runtime/natsauth.py), and an operator's admin. Generated, do not edit:
#   python -m runtime.natsauth conf > deploy/nats/auth.conf
# Each password comes from the server's environment (NATS_INTAKE_PASSWORD, …); nats-server
# refuses to start without. Start each with a letter (nats-server reads a value that starts
# with a digit as a number): `python -m runtime.natsauth env` makes such passwords. Each
# service gets its own password as NATS_PASSWORD.
"""


def main(argv: Sequence[str]) -> int:
    """``conf``: the deploy files' users; ``env``: new random passwords as a compose ``.env``."""
    if list(argv) == ["conf"]:
        print(AUTH_CONF_HEADER + authorization_block(Namespace("")), end="")
        return 0
    if list(argv) == ["env"]:
        for name, password in new_passwords().items():
            print(f"{password_variable(name)}={password}")
        return 0
    print("usage: python -m runtime.natsauth conf|env", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
