"""Which decisions get a letter: every one since letters exist — none of an installation's
history, which was made known otherwise (a letter now would also mail it a second time)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from contracts.base import DomainEvent
from contracts.envelope import EventMeta
from contracts.events.casework import CaseClosed
from runtime.codec import Envelope
from services.casework.projections.decision_letters import LETTERS_SINCE, writes_letter

CASE = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")


def decided_at(moment: datetime) -> Envelope[DomainEvent]:
    meta = EventMeta(
        event_id=CASE,
        type="casework.CaseDecided",
        version=3,
        tenant="14729410",
        aggregate_type="case",
        aggregate_id=str(CASE),
        occurred_at=moment,
        actor="automation",
        correlation_id=CASE,
    )
    return Envelope(meta=meta, event=CaseClosed(case_id=CASE, closed_at=moment))


def test_a_decision_of_the_installation_s_history_gets_no_letter() -> None:
    assert not writes_letter(decided_at(LETTERS_SINCE - timedelta(seconds=1)))


def test_every_decision_since_letters_exist_gets_one() -> None:
    assert writes_letter(decided_at(LETTERS_SINCE))
    assert writes_letter(decided_at(LETTERS_SINCE + timedelta(days=400)))
