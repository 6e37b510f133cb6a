"""Every clerk's command and query on a case, once — for the JSON API and the desk's pages.

Each command loads the case from its events, checks that the caller may act (town,
delegation, procedure, role), decides with the pure domain functions and appends what they
decided, naming the acting clerk. Refusals are exceptions: ``CaseNotFound`` (404: no such
case, or none of the caller's business), ``Forbidden`` (403: a role or town the caller
lacks), ``Refused`` (409/422: the case's state or the input), so the API and the pages
answer the same way.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from contracts.base import DomainEvent
from contracts.calendar import german_date, today
from contracts.delegable_processes import DELEGABLE_PROCESSES
from contracts.events.casework import Clerk, DelegationAgreed, FeeBasis, TownCaseworkConfigured
from contracts.naming import Service
from contracts.procedures import PROCEDURES, ProcedureId, UnknownProcedure
from runtime.auth import Identity
from runtime.documents import DocumentUnreadable, decrypt
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
from runtime.service import Runtime
from services.casework import case_view, towns
from services.casework.aggregates import delegation_ref
from services.casework.case_view import CaseView
from services.casework.clerks import clerk_of, handles, is_supervisor, may_agree_for
from services.casework.desk import Action, Desk, LoadedCase
from services.casework.domain import clerk_actions
from services.casework.domain.case import Case
from services.casework.domain.deadlines import add_working_days
from services.casework.domain.delegation import decide_agreement, in_force
from services.casework.domain.fees import with_application_facts
from services.casework.domain.hearings import suggested_bodies
from services.casework.domain.refusals import Refused
from services.casework.projections import case_messages

INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
"""File types the desk shows in the page; others are downloaded."""


class Forbidden(Exception):
    """The caller lacks the role or the town for this; the message says which (German)."""


class FileGone(LookupError):
    """The file existed, but the case's personal data was erased."""


@dataclass(frozen=True)
class StoredFile:
    """A case's file, decrypted."""

    content: bytes
    filename: str
    content_type: str

    @property
    def inline(self) -> bool:
        """Whether a browser may show it in the page."""
        return self.content_type in INLINE_TYPES


@dataclass(frozen=True)
class Agreement:
    """A recorded delegation agreement, and whether it is the one in force today."""

    procedure: str
    processing_towns: list[str]
    valid_from: date | None
    valid_until: date | None
    agreed_by: str | None
    in_force: bool


NOT_YOUR_TOWN = "Für diese Gemeinde sind Sie nicht zuständig."


def application_ref(tenant: str, application_id: UUID) -> AggregateRef:
    """Where intake keeps an application's events (read from its log, as every service may)."""
    return AggregateRef(Service.INTAKE, tenant, "application", str(application_id))


def actor_of(identity: Identity) -> str:
    """How the log names the caller: a clerk of a town, or an operator."""
    return clerk_actions.actor(clerk_of(identity)) if identity.towns else identity.operator_actor


class DeskCommands:
    """The desk's commands and queries on cases, bound to the running service."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self.desk = Desk(runtime)

    # --- reading ------------------------------------------------------------------------

    async def view(self, who: Identity, case_id: UUID, as_of: datetime | None = None) -> CaseView:
        """The case as the clerk reads it, now or at ``as_of``, from both histories."""
        loaded = await self.desk.load_for(who, case_id)
        return await self._view(loaded, as_of)

    async def _view(self, loaded: LoadedCase, as_of: datetime | None) -> CaseView:
        if as_of is not None and as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=UTC)
        application = loaded.case.objection_to or loaded.case.case_id
        assert application is not None
        assert loaded.case.case_id is not None
        intake = await self._runtime.store.load(application_ref(loaded.ref.tenant, application))
        view = case_view.build(loaded.case.case_id, loaded.events, intake.events, as_of)
        config = await towns.configuration(self._runtime, loaded.case.competent_town)
        heard = {h.body for h in view.hearings}
        view.suggested_hearings = [
            body
            for body in suggested_bodies(view.state.procedure, view.form, set(config.bodies))
            if body not in heard
        ]
        view.messages = await case_messages.messages_of(self._runtime.pool, view.case_id, as_of)
        return view

    async def file(self, who: Identity, case_id: UUID, name: str) -> StoredFile | None:
        """An attachment (by id) or the decision letter (``bescheid``); ``None``: no such file."""
        loaded = await self.desk.load_for(who, case_id)
        view = await self._view(loaded, None)
        found = [a for a in view.attachments if a.attachment_id == name]
        found += [a for r in view.requests for a in r.attachments if a.attachment_id == name]
        if found:
            ref = found[0]
            object_name = f"{loaded.data_key}/{ref.attachment_id}"
            filename, content_type = ref.filename, ref.content_type
        elif name == "bescheid" and view.document is not None:
            doc = view.document
            object_name, filename, content_type = doc.object_name, doc.filename, doc.content_type
        else:
            return None
        key = await self._runtime.keys.get(loaded.data_key)
        if key is None:
            raise FileGone(name)
        stored = await self._runtime.attachments.get(object_name)
        try:
            content = decrypt(stored.data or b"", key, object_name)
        except DocumentUnreadable as exc:
            raise Refused("unreadable", "Die Datei lässt sich nicht prüfen.") from exc
        return StoredFile(content, filename, content_type)

    # --- acting -------------------------------------------------------------------------

    async def _act(
        self,
        who: Identity,
        case_id: UUID,
        action: Action,
        expected_version: int | None,
        entitled: object = None,
    ) -> list[DomainEvent]:
        return await self.desk.act(
            who,
            case_id,
            action,
            actor=actor_of(who),
            expected_version=expected_version,
            entitled=entitled,  # type: ignore[arg-type]
        )

    async def version(self, case_id: UUID) -> int:
        """The case's version now (how many events it has)."""
        return (await self.desk.load(case_id)).case.version

    async def claim(
        self, who: Identity, case_id: UUID, expected_version: int | None = None
    ) -> list[DomainEvent]:
        """Take the case from the queue (a supervisor may take over an old claim)."""
        me, now = clerk_of(who), datetime.now(UTC)
        config = await self.configuration_of(case_id)
        stale = timedelta(hours=config.stale_claim_hours)
        return await self._act(
            who,
            case_id,
            lambda case: clerk_actions.claim(
                case, me, now, supervisor=is_supervisor(who), stale_after=stale
            ),
            expected_version,
        )

    async def release(
        self, who: Identity, case_id: UUID, expected_version: int | None = None
    ) -> list[DomainEvent]:
        """Give the case back to the queue."""
        me, now = clerk_of(who), datetime.now(UTC)
        return await self._act(
            who,
            case_id,
            lambda case: clerk_actions.release(case, me, now, supervisor=is_supervisor(who)),
            expected_version,
        )

    async def reassign(
        self,
        who: Identity,
        case_id: UUID,
        to: Clerk,
        reason: str,
        expected_version: int | None = None,
    ) -> list[DomainEvent]:
        """A supervisor gives the case to another clerk of a town processing it."""
        if not is_supervisor(who):
            raise Forbidden("Zuweisen dürfen nur Vorgesetzte.")
        me, now = clerk_of(who), datetime.now(UTC)

        def action(case: Case) -> list[DomainEvent]:
            if to.town not in case.processing_towns:
                raise Refused.invalid(
                    "not_entitled", "Diese Person ist für den Vorgang nicht zuständig.", "to"
                )
            return clerk_actions.reassign(case, me, to, reason, now)

        return await self._act(who, case_id, action, expected_version)

    async def request_information(
        self,
        who: Identity,
        case_id: UUID,
        question: str,
        due: date,
        expected_version: int | None = None,
    ) -> list[DomainEvent]:
        """Ask the applicant (answered on the tracking page or in the widget)."""
        me, now, request_id = clerk_of(who), datetime.now(UTC), new_id()
        return await self._act(
            who,
            case_id,
            lambda case: clerk_actions.request_information(
                case, me, request_id, question, due, now
            ),
            expected_version,
        )

    async def request_hearing(
        self,
        who: Identity,
        case_id: UUID,
        body_id: str,
        subject: str,
        due: date | None,
        base_url: str,
        expected_version: int | None = None,
    ) -> list[DomainEvent]:
        """Hear a body the competent town names (its deadline: the town's, unless given)."""
        config = await self.configuration_of(case_id)
        heard = config.bodies.get(body_id)
        if heard is None:
            raise Refused.invalid("unknown_body", "Diese Stelle ist nicht eingerichtet.", "body")
        me, now, hearing_id = clerk_of(who), datetime.now(UTC), new_id()
        deadline = due or add_working_days(german_date(now), config.hearing_days)
        base = self._runtime.settings.public_url.rstrip("/") or base_url.rstrip("/")
        link = f"{base}/anhoerung/{case_id}/{hearing_id}?t={secrets.token_urlsafe(32)}"
        return await self._act(
            who,
            case_id,
            lambda case: clerk_actions.request_hearing(
                case,
                me,
                hearing_id=hearing_id,
                body_id=body_id,
                body=heard,
                subject=subject.strip() or "Bitte um Stellungnahme zum beigefügten Antrag.",
                due=deadline,
                now=now,
                answer_url=link,
            ),
            expected_version,
        )

    async def answer_hearing(
        self,
        who: Identity,
        case_id: UUID,
        hearing_id: UUID,
        verdict: str,
        statement: str,
        conditions: list[str],
        expected_version: int | None = None,
    ) -> list[DomainEvent]:
        """Record a body's answer that came by letter or phone."""
        actor, now = clerk_actions.actor(clerk_of(who)), datetime.now(UTC)
        return await self._act(
            who,
            case_id,
            lambda case: clerk_actions.answer_hearing(
                case,
                hearing_id,
                verdict=verdict,
                statement=statement,
                conditions=conditions,
                recorded_by=actor,
                now=now,
            ),
            expected_version,
        )

    async def overrule(
        self,
        who: Identity,
        case_id: UUID,
        rule: str,
        reason: str,
        expected_version: int | None = None,
    ) -> list[DomainEvent]:
        """Set a failed automated rule aside, with a reason."""
        me, now = clerk_of(who), datetime.now(UTC)
        return await self._act(
            who,
            case_id,
            lambda case: clerk_actions.overrule(case, me, rule, reason, now),
            expected_version,
        )

    async def decide(
        self,
        who: Identity,
        case_id: UUID,
        outcome: str,
        conditions: list[str],
        reasons: list[str],
        fee: FeeBasis | None,
        expected_version: int | None = None,
    ) -> list[DomainEvent]:
        """Approve with conditions or reject with reasons, in the competent town's name."""
        me, now = clerk_of(who), datetime.now(UTC)
        if fee is not None and fee.rate_class is None:
            loaded = await self.desk.load_for(who, case_id)
            if loaded.case.procedure == ProcedureId.SONDERNUTZUNGSERLAUBNIS:
                form = (await self._view(loaded, None)).form
                fee = with_application_facts(loaded.case.procedure, fee, form)
        return await self._act(
            who,
            case_id,
            lambda case: clerk_actions.decide(
                case,
                me,
                outcome=outcome,
                conditions=conditions,
                reasons=reasons,
                fee=fee,
                now=now,
            ),
            expected_version,
        )

    async def confirm(
        self,
        who: Identity,
        case_id: UUID,
        fee: FeeBasis | None = None,
        expected_version: int | None = None,
    ) -> list[DomainEvent]:
        """Confirm the decision the automated check prepared."""
        me, now = clerk_of(who), datetime.now(UTC)
        return await self._act(
            who,
            case_id,
            lambda case: clerk_actions.confirm_prepared(case, me, now, fee),
            expected_version,
        )

    async def report_status(
        self,
        who: Identity,
        case_id: UUID,
        status: str,
        note: str,
        expected_version: int | None = None,
    ) -> list[DomainEvent]:
        """Tell the applicant how things stand (a defect report)."""
        me, now = clerk_of(who), datetime.now(UTC)
        return await self._act(
            who,
            case_id,
            lambda case: clerk_actions.report_status(case, me, status, note, now),
            expected_version,
        )

    async def move(
        self,
        who: Identity,
        case_id: UUID,
        processing_towns: list[str],
        reason: str,
        expected_version: int | None = None,
    ) -> list[DomainEvent]:
        """Let other towns process an open case: the competent town's supervisor, or an
        operator; recorded with the reason."""
        if not (is_supervisor(who) or who.has_role("operator")):
            raise Forbidden("Verschieben dürfen nur Vorgesetzte und der Betrieb.")
        now, actor = datetime.now(UTC), actor_of(who)

        def entitled(case: Case) -> bool:
            own = may_agree_for(who, case.competent_town)
            return own and (not who.towns or handles(who, case.procedure) or is_supervisor(who))

        return await self._act(
            who,
            case_id,
            lambda case: clerk_actions.move(case, processing_towns, actor, reason, now),
            expected_version,
            entitled,
        )

    async def configuration_of(self, case_id: UUID) -> TownCaseworkConfigured:
        """The competent town's casework settings for a case (``CaseNotFound`` if none)."""
        loaded = await self.desk.load(case_id)
        return await towns.configuration(self._runtime, loaded.case.competent_town)

    # --- delegations ----------------------------------------------------------------------

    async def agreements(
        self, who: Identity, town: str, procedure: str | None = None
    ) -> list[Agreement]:
        """The town's agreements (of one procedure, or of all), oldest first per procedure —
        for its supervisor or an operator."""
        if not may_agree_for(who, town):
            raise Forbidden(NOT_YOUR_TOWN)
        day, found = today(), []
        for each in [procedure] if procedure else [*PROCEDURES, *DELEGABLE_PROCESSES]:
            agreed = await towns.agreements(self._runtime, town, each)
            current = next((a for a in reversed(agreed) if in_force(a, day)), None)
            found += [_agreement(a, a is current) for a in agreed]
        return found

    async def agree(
        self,
        who: Identity,
        town: str,
        procedure: str,
        processing_towns: list[str],
        valid_from: date | None = None,
        valid_until: date | None = None,
    ) -> list[Agreement]:
        """A new agreement on who processes the town's cases of the procedure (the same as
        the newest changes nothing); it applies to cases opened from then on."""
        if not may_agree_for(who, town):
            raise Forbidden(NOT_YOUR_TOWN)
        if procedure not in PROCEDURES and procedure not in DELEGABLE_PROCESSES:
            raise UnknownProcedure(procedure)
        actor = actor_of(who)

        def decide(history: list[DomainEvent]) -> list[DomainEvent]:
            agreed = [e for e in history if isinstance(e, DelegationAgreed)]
            return decide_agreement(
                agreed,
                town,
                procedure,
                processing_towns,
                valid_from=valid_from,
                valid_until=valid_until,
                agreed_by=actor,
            )

        await self._runtime.store.decide_and_append(
            delegation_ref(town, procedure),
            decide,
            cause=Cause(actor=actor, correlation_id=new_id()),
        )
        return await self.agreements(who, town, procedure)


def _agreement(agreed: DelegationAgreed, current: bool) -> Agreement:
    return Agreement(
        procedure=agreed.procedure,
        processing_towns=list(agreed.processing_towns),
        valid_from=agreed.valid_from,
        valid_until=agreed.valid_until,
        agreed_by=agreed.agreed_by,
        in_force=current,
    )
