"""Running a clerk's command on a case: find it, check the clerk may, decide, append.

The case's current state comes from its events (``fold``), never from the read model, so a
command always decides on the truth; appending names the stream sequence it decided on, so
two clerks acting at the same moment cannot both win (the second decides again on the new
state — and is refused if the first changed what mattered, e.g. claimed the case).
A case the clerk may not see is reported as not found: its existence is not for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from contracts.base import DomainEvent
from runtime.auth import Identity
from runtime.codec import Envelope
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
from runtime.service import Runtime
from services.casework.aggregates import case_ref
from services.casework.clerks import may_work_on
from services.casework.domain.case import Case, fold
from services.casework.domain.clerk_actions import check_version


class CaseNotFound(LookupError):
    """No such case — or none the caller may see."""


@dataclass(frozen=True)
class LoadedCase:
    """A case as its events say, with where it lives."""

    ref: AggregateRef
    case: Case
    events: list[Envelope[DomainEvent]]

    @property
    def data_key(self) -> str:
        """The key its personal data is sealed with (an objection: the first application's)."""
        assert self.case.case_id is not None
        return str(self.case.objection_to or self.case.case_id)


Action = Callable[[Case], Sequence[DomainEvent]]


class Desk:
    """Cases for clerks: loading them as their events say, and acting on them."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def tenant_of(self, case_id: UUID) -> str | None:
        """The town whose stream holds the case (from the read model: where to look)."""
        tenant: str | None = await self._runtime.pool.fetchval(
            "SELECT tenant FROM rm_desk_cases.cases WHERE case_id = $1", case_id
        )
        return tenant

    async def load(self, case_id: UUID) -> LoadedCase:
        """The case, whoever asks (``CaseNotFound`` if it was never opened)."""
        tenant = await self.tenant_of(case_id)
        if tenant is None:
            raise CaseNotFound(str(case_id))
        ref = case_ref(tenant, case_id)
        loaded = await self._runtime.store.load(ref)
        case = fold(e.event for e in loaded.events)
        if not case.exists:
            raise CaseNotFound(str(case_id))
        return LoadedCase(ref, case, loaded.events)

    async def load_for(self, identity: Identity, case_id: UUID) -> LoadedCase:
        """The case, if the clerk may see it."""
        loaded = await self.load(case_id)
        if not may_work_on(identity, loaded.case.processing_towns, loaded.case.procedure):
            raise CaseNotFound(str(case_id))
        return loaded

    async def act(
        self,
        identity: Identity,
        case_id: UUID,
        action: Action,
        *,
        actor: str,
        expected_version: int | None = None,
        entitled: Callable[[Case], bool] | None = None,
    ) -> list[DomainEvent]:
        """Decide ``action`` on the case's current state and append what it decided.

        ``entitled`` replaces the clerk check (an operator moving a case); ``Refused`` from the
        action, or ``CaseNotFound``, leave the case as it was.
        """
        allowed = entitled or (
            lambda case: may_work_on(identity, case.processing_towns, case.procedure)
        )
        first = await self.load(case_id)
        if not allowed(first.case):
            raise CaseNotFound(str(case_id))

        def decide(history: list[DomainEvent]) -> Sequence[DomainEvent]:
            case = fold(history)
            if not allowed(case):
                raise CaseNotFound(str(case_id))
            check_version(case, expected_version)
            return action(case)

        return await self._runtime.store.decide_and_append(
            first.ref,
            decide,
            cause=Cause(actor=actor, correlation_id=new_id()),
            data_key=first.data_key,
        )
