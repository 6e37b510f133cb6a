"""``python -m devstack start``: the whole suite on this machine, with embedded servers.

The embedded NATS admits only the five services, each as its own user with the permissions
of ``runtime.natsauth`` (as in production); their passwords are generated at the first start
and kept in ``.rathaus/nats/credentials.json`` (mode 0600); so is the secret sealing the
clerks' sessions (``.rathaus/desk/secrets.json``). Order of start: NATS and
PostgreSQL (embedded, unless ``NATS_URL`` / ``DATABASE_URL`` name servers to use), each
service's database, the mail sink, the development OpenID Connect issuer
(``devstack.issuer``, unless ``RATHAUS_OIDC_ISSUER`` names one), then the services, each
waited for until ``/readyz`` answers. While the stack runs, a service or embedded server
that dies is started again (``devstack.keeper``); the stack stops only on Ctrl-C or SIGTERM,
or when one process keeps crashing. Order of stop: the reverse of the start. Data stays under
``.rathaus/``, so the next start goes on where this one stopped.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import FrameType

import httpx

from contracts.naming import Namespace
from devstack.console import BUSY, FAILED, OK, WARN, Console
from devstack.databases import ensure_databases
from devstack.demo_cases import CASES, submit_demo_cases
from devstack.embedded import EmbeddedNats, EmbeddedPostgres, port_is_free
from devstack.issuer.directory import Directory
from devstack.issuer.process import (
    DESK_CLIENT,
    ISSUER_PORT,
    OPERATOR_CLIENT,
    IssuerProcess,
    token_command,
)
from devstack.keeper import GaveUpError, HasProcess, Keeper, KeptServer
from devstack.mailbox import MailSink
from devstack.payment_simulator import DEFAULT_PORT as SIMULATOR_PORT
from devstack.payment_simulator import PaymentSimulator, member_keys
from devstack.ports import choose_port
from devstack.restarts import RestartPolicy
from devstack.runlock import AlreadyRunningError, RunLock
from devstack.state_archive import DEFAULT_PORT as STATE_ARCHIVE_PORT
from devstack.state_archive import StateArchiveSimulator
from devstack.suite import (
    MAILBOX_PORT,
    NATS_PORT,
    POSTGRES_PORT,
    ROOT,
    SMTP_PORT,
    ServiceSpec,
    Surroundings,
    database_name,
    database_url,
    is_implemented,
    redact,
    select_services,
    service_env,
)
from devstack.supervisor import (
    LogFollower,
    ServiceFailedError,
    ServiceProcess,
    log_tail,
    stop_all,
    wait_until_ready,
)
from runtime.natsauth import authorization_block, new_passwords
from services.archive.disposal import schema_dir as xdomea_schema_dir


class StopRequested(BaseException):
    """SIGINT or SIGTERM arrived: stop the stack (a BaseException, so nothing swallows it)."""


@dataclass(frozen=True)
class StartOptions:
    """What ``start`` was asked for."""

    only: list[str] | None = None
    data_dir: Path = ROOT / ".rathaus"
    ready_timeout: float = 90.0
    restarts: RestartPolicy = field(default_factory=RestartPolicy)


@dataclass
class Servers:
    """Where NATS and PostgreSQL are, and what to say about them."""

    nats_url: str
    nats_note: str
    postgres_url: str
    postgres_note: str
    nats_passwords: dict[str, str] = field(default_factory=dict)
    """The services' NATS passwords (embedded NATS only)."""


def run_start(options: StartOptions, console: Console | None = None) -> int:
    """Start the stack, block until Ctrl-C (or a process keeps crashing); the exit code."""
    out = console or Console()
    try:
        specs = _runnable(select_services(options.only), out)
    except ValueError as exc:
        out.say(f"{FAILED} {exc}")
        return 2
    if not specs:
        out.say(f"{FAILED} no service to start")
        return 2
    out.say(f"RathausCloud development stack (data in {_shown(options.data_dir)}/)")
    try:
        with _stop_on_signals(), RunLock(options.data_dir / "run.json") as lock:
            code = _run_locked(specs, options, lock, out)
    except AlreadyRunningError as exc:
        out.say(f"{FAILED} {exc}")
        return 1
    except StopRequested:
        return 0
    out.say(f"Stopped. Data kept in {_shown(options.data_dir)}/ for the next start.")
    return code


def _run_locked(
    specs: list[ServiceSpec], options: StartOptions, lock: RunLock, out: Console
) -> int:
    """Run the stack; whatever happens, stop what was started, in reverse order."""
    if lock.left_behind:
        out.step(OK, "cleaned up", f"stopped {', '.join(lock.left_behind)} of a killed start")
    with ExitStack() as stack:
        try:
            return _run(specs, options, lock, stack, out)
        except StopRequested:
            out.say("\nStopping …")
            return 0
        except Exception as exc:
            # Whatever broke the start (a port, a server, a database URL), say it plainly;
            # what was already started is stopped by the ExitStack all the same.
            out.say(f"{FAILED} could not start: {type(exc).__name__}: {exc}")
            return 1
        finally:
            _ignore_signals_while_stopping(out)


def _runnable(specs: tuple[ServiceSpec, ...], out: Console) -> list[ServiceSpec]:
    """The selected services that exist in this checkout (the others are named and skipped)."""
    missing = [spec.name for spec in specs if not is_implemented(spec)]
    if missing:
        out.say(f"  ! not in this checkout yet, skipped: {', '.join(missing)}")
    return [spec for spec in specs if spec.name not in missing]


def _run(
    specs: list[ServiceSpec], options: StartOptions, lock: RunLock, stack: ExitStack, out: Console
) -> int:
    data, environ = options.data_dir, os.environ
    taken: set[int] = set()
    keeper = Keeper(out, options.restarts)
    servers = _start_servers(data, environ, taken, lock, stack, keeper, out)
    urls = {spec.name: database_url(spec, servers.postgres_url, environ) for spec in specs}
    created = ensure_databases(urls.values(), servers.postgres_url)
    out.step(
        OK,
        "databases",
        ", ".join(
            f"{n}{' (new)' if n in created else ''}" for n in map(database_name, urls.values())
        ),
    )
    mail = _start_mail_sink(data, taken)
    stack.callback(_stopping, out, "mail sink", mail.stop)
    out.step(OK, "mail sink", f"SMTP 127.0.0.1:{mail.smtp.port}, mailbox {mail.web.url}")
    _start_payment_simulator(environ, taken, stack, out)
    state_archive_url = _start_state_archive(environ, taken, stack, out)
    issuer_url = _start_issuer(data, environ, taken, lock, stack, keeper, out)
    processes = [
        ServiceProcess(spec, choose_port(spec.port, taken), data / "logs" / f"{spec.name}.log")
        for spec in specs
    ]
    taken.update(p.port for p in processes)
    ports = {p.name: p.port for p in processes}
    around = Surroundings(
        nats_url=servers.nats_url,
        smtp_port=mail.smtp.port,
        members_dir=ROOT / "deploy" / "members",
        intake_url=f"http://127.0.0.1:{ports.get('intake', 8001)}",
        archive_url=f"http://127.0.0.1:{ports.get('archive', 8004)}",
        issuer_url=issuer_url,
        nats_passwords=servers.nats_passwords,
        desk=desk_environment(data, environ, issuer_url) | desk_links(ports),
        state_archive_url=state_archive_url,
    )
    follower = LogFollower(processes, lambda line: out.say(f"    {line}"))
    stack.callback(_stop_services, processes, follower, out)
    _start_services(processes, urls, around, lock, keeper)
    follower.start()
    out.step(BUSY, "services", f"started {', '.join(ports)}; logs in {_shown(data / 'logs')}/")
    summary = partial(_print_summary, processes, servers, mail, data, out, issuer_url)
    return _serve(processes, options.ready_timeout, summary, keeper, follower, out)


def _start_services(
    processes: list[ServiceProcess],
    urls: Mapping[str, str],
    around: Surroundings,
    lock: RunLock,
    keeper: Keeper,
) -> None:
    """Start every service process, note it in the run lock and have the keeper watch it."""
    for process in processes:
        env = service_env(process.spec, process.port, urls[process.name], around, os.environ)
        process.start(env, ROOT)
        record = partial(_record, lock, process.name, process)
        record()
        keeper.keep(process, record)


def _serve(
    processes: list[ServiceProcess],
    ready_timeout: float,
    summary: Callable[[], None],
    keeper: Keeper,
    follower: LogFollower,
    out: Console,
) -> int:
    """Wait until every service is ready, then keep the stack running until told to stop.

    Returns 1 (after saying why) when a service did not get ready at the first start, or when
    a process kept crashing; a Ctrl-C or SIGTERM ends this by ``StopRequested``.
    """
    try:
        wait_until_ready(
            processes,
            ready_timeout,
            on_waiting=lambda p: out.step(BUSY, p.name, f"waiting for {p.url}/readyz"),
            on_ready=lambda p, s: out.step(OK, p.name, f"ready at {p.url} ({s:.1f} s)"),
        )
        summary()
        keeper.run()
    except ServiceFailedError as failure:
        follower.stop()
        service = failure.service
        readiness = service.last_readiness if service.exit_code is None else ""
        reason = str(failure).removeprefix(f"{service.name} ")
        shown = follower.shown.get(service.name, set())
        _report_failure(service.name, reason, service.log_path, shown, out, readiness)
    except GaveUpError as failure:
        follower.stop()
        name = failure.target.name
        shown = follower.shown.get(name, set())
        _report_failure(name, failure.reason, failure.target.log_path, shown, out)
    return 1


def _record(
    lock: RunLock, name: str, holder: HasProcess, stop_signal: signal.Signals = signal.SIGTERM
) -> None:
    """Note the current process of ``holder`` in the run lock (after each start and restart)."""
    if holder.process is not None:
        lock.record(name, holder.process, stop_signal)


def _start_servers(
    data: Path,
    environ: Mapping[str, str],
    taken: set[int],
    lock: RunLock,
    stack: ExitStack,
    keeper: Keeper,
    out: Console,
) -> Servers:
    """NATS and PostgreSQL: the ones the environment names, else embedded ones (kept running)."""
    passwords: dict[str, str] = {}
    if environ.get("NATS_URL"):
        nats_url, nats_note = environ["NATS_URL"], "from NATS_URL"
    else:
        passwords = nats_credentials(data / "nats" / "credentials.json")
        auth = authorization_block(Namespace(environ.get("RATHAUS_NAMESPACE", "")), passwords)
        nats_url = _start_nats(data, auth, taken, lock, stack, keeper, out)
        nats_note = f"embedded, a user per service, data in {_shown(data / 'nats')}/"
    out.step(OK, "NATS JetStream", f"{nats_url} ({nats_note})")
    if environ.get("DATABASE_URL"):
        pg_url, pg_note = environ["DATABASE_URL"], "from DATABASE_URL"
    else:
        pg_url = _start_postgres(data, taken, lock, stack, keeper, out)
        pg_note = f"embedded, data in {_shown(data / 'pg')}/"
    out.step(OK, "PostgreSQL", f"{redact(pg_url)} ({pg_note})")
    return Servers(nats_url, nats_note, pg_url, pg_note, passwords)


def nats_credentials(path: Path) -> dict[str, str]:
    """The NATS passwords of this data folder: generated at the first start, then kept (0600).

    The file also holds the ``admin`` user's password, for looking into the embedded NATS by
    hand (e.g. ``nats --user admin --password …``); no service uses it.
    """
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        if set(new_passwords()) <= set(stored):
            return stored
    passwords = new_passwords()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(json.dumps(passwords, indent=2) + "\n")
    return passwords


def desk_environment(data: Path, environ: Mapping[str, str], issuer_url: str) -> dict[str, str]:
    """The desk's settings: the session secret (kept), and the development issuer's client.

    With an issuer of the environment's (Keycloak), its desk client comes from the
    environment too (``RATHAUS_DESK_CLIENT_ID`` / ``_SECRET``), as does a session secret.
    """
    env = {
        "RATHAUS_SESSION_SECRET": environ.get("RATHAUS_SESSION_SECRET")
        or session_secret(data / "desk" / "secrets.json")
    }
    if issuer_url:
        env["RATHAUS_DESK_CLIENT_ID"], env["RATHAUS_DESK_CLIENT_SECRET"] = DESK_CLIENT
    return env


def desk_links(ports: Mapping[str, int]) -> dict[str, str]:
    """Each desk's address for the others' navigation (one sign-in: cookies ignore ports)."""
    return {
        f"RATHAUS_DESK_{name.upper()}_URL": f"http://127.0.0.1:{ports[name]}/desk/"
        for name in ("casework", "billing", "archive")
        if name in ports
    }


def session_secret(path: Path) -> str:
    """The secret sealing the clerks' sessions: made at the first start, then kept (0600),
    so a clerk stays signed in when the stack or a service restarts."""
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        if stored.get("session_secret"):
            return stored["session_secret"]
    secret = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(json.dumps({"session_secret": secret}, indent=2) + "\n")
    return secret


def _start_nats(
    data: Path,
    authorization: str,
    taken: set[int],
    lock: RunLock,
    stack: ExitStack,
    keeper: Keeper,
    out: Console,
) -> str:
    """The embedded NATS, stopped with the stack and restarted should it die; its URL."""
    out.step(BUSY, "NATS JetStream", "starting (embedded)")
    nats = EmbeddedNats(
        data / "nats", port=choose_port(NATS_PORT, taken), authorization=authorization
    )
    log_file = _log_dir(data) / "nats.log"
    nats.start(log_file=log_file)
    stack.callback(_stopping_server, out, "NATS JetStream", nats.stop)
    taken.add(nats.port)
    _record(lock, "nats", nats)
    keeper.keep(KeptServer("NATS JetStream", nats, log_file), partial(_record, lock, "nats", nats))
    return nats.url


def _start_postgres(
    data: Path, taken: set[int], lock: RunLock, stack: ExitStack, keeper: Keeper, out: Console
) -> str:
    """The embedded PostgreSQL, stopped with the stack and restarted should it die; its URL."""
    first = not (data / "pg" / "PG_VERSION").exists()
    out.step(
        BUSY, "PostgreSQL", "starting (embedded" + ("; first start: initdb)" if first else ")")
    )
    postgres = EmbeddedPostgres(data / "pg", port=choose_port(POSTGRES_PORT, taken))
    postgres.start()
    stack.callback(_stopping_server, out, "PostgreSQL", postgres.stop)
    taken.add(postgres.port)
    record = partial(_record, lock, "postgres", postgres, signal.SIGINT)
    record()
    keeper.keep(KeptServer("PostgreSQL", postgres, postgres.log_path), record)
    return postgres.url


def _start_mail_sink(data: Path, taken: set[int]) -> MailSink:
    smtp_port = choose_port(SMTP_PORT, taken)
    taken.add(smtp_port)
    web_port = choose_port(MAILBOX_PORT, taken)
    taken.add(web_port)
    return MailSink.start(data / "mail", smtp_port, web_port)


def _start_payment_simulator(
    environ: Mapping[str, str], taken: set[int], stack: ExitStack, out: Console
) -> None:
    """The towns' online-payment provider of the development stack, where the member files
    expect it (``[billing.payment] base_url``: port 8096); if that port is taken, none."""
    if SIMULATOR_PORT in taken or not port_is_free(SIMULATOR_PORT):
        out.step(WARN, "payment simulator", f"port {SIMULATOR_PORT} is taken: no online payment")
        return
    keys = member_keys(str(ROOT / "deploy" / "members"), environ)
    simulator = PaymentSimulator(keys, port=SIMULATOR_PORT).start()
    taken.add(SIMULATOR_PORT)
    stack.callback(_stopping, out, "payment simulator", simulator.stop)
    out.step(OK, "payment simulator", f"{simulator.url} (online payment of the member towns)")


def _start_state_archive(
    environ: Mapping[str, str], taken: set[int], stack: ExitStack, out: Console
) -> str:
    """The local state archive archive offers disposals to; its URL (none where
    ``ARCHIVE_STATE_ARCHIVE_URL`` names a real one, or without the xdomea schemas)."""
    if environ.get("ARCHIVE_STATE_ARCHIVE_URL"):
        out.step(
            OK, "state archive", f"{environ['ARCHIVE_STATE_ARCHIVE_URL']} (from the environment)"
        )
        return ""
    schemas = xdomea_schema_dir(environ.get("ARCHIVE_XDOMEA_SCHEMA_DIR", ""))
    if not (schemas / "xdomea.xsd").is_file():
        out.step(WARN, "state archive", f"no xdomea schemas in {schemas}: no disposal offers")
        return ""
    port = choose_port(STATE_ARCHIVE_PORT, taken)
    simulator = StateArchiveSimulator(schemas, port=port).start()
    taken.add(port)
    stack.callback(_stopping, out, "state archive", simulator.stop)
    out.step(OK, "state archive", f"{simulator.url} (simulator: takes the trade register's files)")
    return simulator.url


def _start_issuer(
    data: Path,
    environ: Mapping[str, str],
    taken: set[int],
    lock: RunLock,
    stack: ExitStack,
    keeper: Keeper,
    out: Console,
) -> str:
    """The development OpenID Connect issuer (its own process, kept running); its URL.

    ``RATHAUS_OIDC_ISSUER`` names another issuer to use instead (Keycloak, say): then none
    is started and the services get that one from the environment.
    """
    if environ.get("RATHAUS_OIDC_ISSUER"):
        url = environ["RATHAUS_OIDC_ISSUER"]
        out.step(OK, "issuer (OIDC)", f"{url} (from RATHAUS_OIDC_ISSUER)")
        return ""
    port = choose_port(ISSUER_PORT, taken)
    issuer = IssuerProcess(port, data, _log_dir(data) / "issuer.log", ROOT)
    taken.add(issuer.port)
    issuer.start()
    stack.callback(_stopping_server, out, "issuer (OIDC)", issuer.stop)
    _record(lock, "issuer", issuer)
    issuer.wait_ready()
    keeper.keep(issuer, partial(_record, lock, "issuer", issuer))
    out.step(OK, "issuer (OIDC)", f"{issuer.url} (key in {_shown(data / 'issuer')}/)")
    return issuer.url


def _print_operator_access(issuer_url: str, processes: list[ServiceProcess], out: Console) -> None:
    """How to get an operator token, and how the operator commands get one themselves."""
    if not issuer_url:
        return
    client_id, secret = OPERATOR_CLIENT
    example = processes[-1]
    out.say(f"  issuer (OIDC)     {issuer_url}   (demo accounts: devstack/issuer/demo.toml)")
    out.say(f"  operator token    {token_command(issuer_url)}")
    out.say(
        "\n  Operator commands fetch a token themselves:\n"
        f"    export RATHAUS_OIDC_ISSUER={issuer_url} RATHAUS_OPERATOR_CLIENT_ID={client_id}"
        f" RATHAUS_OPERATOR_CLIENT_SECRET={secret}\n"
        f"    .venv/bin/python -m services.{example.name} dead-letters --url {example.url}"
    )


def _print_desk_access(issuer_url: str, processes: list[ServiceProcess], out: Console) -> None:
    """Where the clerks' desk is, and (with the development issuer) whom to sign in as."""
    desks = [p for p in processes if p.name == "casework"]
    if not desks:
        return
    out.say(f"  clerks' desk      {desks[0].url}/desk/")
    for archive in (p for p in processes if p.name == "archive"):
        out.say(f"  e-files (desk)    {archive.url}/desk/akten")
    if not issuer_url:
        return
    clerks = [u.username for u in Directory.load().users.values() if "clerk" in u.roles]
    out.say(f"  demo clerks       {', '.join(clerks)}")
    out.say(
        "                    Open the desk: it sends you to the issuer's login form; sign in"
        " with a user name above, the password is the user name."
    )


def _print_invoice_intake(processes: list[ServiceProcess], out: Console) -> None:
    """Where suppliers send e-invoices: billing's upload page and its SMTP port."""
    billing = [p for p in processes if p.name == "billing"]
    if not billing:
        return
    port = os.environ.get("BILLING_INVOICE_SMTP_PORT", "2525")
    out.say(f"  e-invoice upload  {billing[0].url}/rechnungseingang")
    if port != "0":
        out.say(
            f"  e-invoice mail    smtp://127.0.0.1:{port}  (e-rechnung@<town>.rathauscloud.example)"
        )


def _print_bounce_port(processes: list[ServiceProcess], out: Console) -> None:
    """The operators' page of messages, and where notify takes delivery status notifications
    (bounces) of the mail it sent."""
    notify = [p for p in processes if p.name == "notify"]
    if not notify:
        return
    out.say(f"  messages (ops)    {notify[0].url}/desk/nachrichten   (role „Betrieb“)")
    port = os.environ.get("NOTIFY_BOUNCE_SMTP_PORT", "2526")
    if port != "0":
        out.say(f"  bounces (DSN)     smtp://127.0.0.1:{port}  (bounce+<message id>@<domain>)")


def _stopping(out: Console, what: str, stop: Callable[[], None]) -> None:
    """Stop one part of the stack and say so."""
    stop()
    out.step(OK, what, "stopped")


def _stopping_server(out: Console, what: str, stop: Callable[[], bool]) -> None:
    """Stop an embedded server and say so, or that it was down already (it had crashed)."""
    if stop():
        out.step(OK, what, "stopped")
    else:
        out.step(WARN, what, "was not running")


def _stop_services(processes: list[ServiceProcess], follower: LogFollower, out: Console) -> None:
    running = [p for p in processes if p.exit_code is None]
    if running:
        out.step(BUSY, "services", f"stopping {', '.join(p.name for p in running)}")
    killed = stop_all(processes)
    follower.stop()
    if killed:
        out.step(FAILED, "services", f"killed after the grace period: {', '.join(killed)}")
    elif running:
        out.step(OK, "services", "stopped")


def _report_failure(
    name: str, reason: str, log: Path, shown: set[str], out: Console, readiness: str = ""
) -> None:
    """Why a process failed: its last /readyz answer and log lines (less those shown above)."""
    out.step(FAILED, name, reason)
    if readiness:
        out.say(f"    last /readyz answer: {readiness[:500]}")
    tail = log_tail(log, 30, without=shown)
    if tail:
        out.say(f"    last lines of {_shown(log)} (not shown above):")
        out.block(tail)
    else:
        out.say(f"    the last lines of {_shown(log)} are shown above")


def _print_summary(
    processes: list[ServiceProcess],
    servers: Servers,
    mail: MailSink,
    data: Path,
    out: Console,
    issuer_url: str = "",
) -> None:
    by_name = {p.name: p for p in processes}
    if "intake" in by_name:
        _submit_demo_cases(by_name["intake"].url, out)
    out.say("\nRathausCloud is running.\n")
    if "intake" in by_name:
        intake = by_name["intake"].url
        out.say(f"  intake API        {intake}/api/v1   (OpenAPI docs: {intake}/docs)")
    for n, process in enumerate(processes):
        label = "readiness" if n == 0 else ""
        out.say(f"  {label:<18}{process.name:<10}{process.url}/readyz")
    out.say(f"  mailbox           {mail.web.url}   (SMTP {mail.smtp_url})")
    out.say(f"  NATS              {servers.nats_url}   ({servers.nats_note})")
    out.say(f"  PostgreSQL        {redact(servers.postgres_url)}   ({servers.postgres_note})")
    out.say(f"  logs              {_shown(data / 'logs')}/")
    _print_desk_access(issuer_url, processes, out)
    _print_invoice_intake(processes, out)
    _print_bounce_port(processes, out)
    _print_operator_access(issuer_url, processes, out)
    if "intake" in by_name:
        out.say(f"\n  Try:  curl {by_name['intake'].url}/api/v1/towns")
    out.say("\nPress Ctrl-C to stop.\n")


def _submit_demo_cases(intake_url: str, out: Console) -> None:
    """Demo applications for the desk (once per data folder; ``RATHAUS_DEMO_CASES=0``: none)."""
    if os.environ.get("RATHAUS_DEMO_CASES", "1") == "0":
        return
    try:
        result = submit_demo_cases(intake_url)
    except httpx.HTTPError as exc:
        out.step(FAILED, "demo cases", f"not submitted: {exc}")
        return
    detail = f"{result.new} new, {result.there} there already" if result.new else "there already"
    out.step(OK, "demo cases", f"{len(CASES)} applications in 4 towns' queues ({detail})")
    for refusal in result.refused:
        out.say(f"    ! refused: {refusal}")


def _log_dir(data: Path) -> Path:
    path = data / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _shown(path: Path) -> str:
    """A path as short as it can be said: relative to the working folder where it is inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise StopRequested(signal.Signals(signum).name)


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP stop the stack in order (instead of killing it mid-way)."""
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, _raise_stop) for sig in handled}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _ignore_signals_while_stopping(out: Console) -> None:
    """A second Ctrl-C must not cut the orderly stop short (that would leave servers behind)."""

    def notice(signum: int, frame: FrameType | None) -> None:
        out.say("  (stopping in order; this takes a few seconds)")

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, notice)
