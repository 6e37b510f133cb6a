"""Who a signed-in clerk is, and which cases they may see and work on.

A clerk sees a case when one of their towns (the ``ags`` claim) may process it — the
competent town or one it delegated the procedure to — and the procedure is one of theirs
(the ``procedures`` claim; ``*`` for all). A supervisor additionally takes over old claims,
reassigns, moves cases and agrees delegations for their own town. Operators run the platform:
they change delegations and move cases, but read no citizen's case.
"""

from __future__ import annotations

from collections.abc import Sequence

from contracts.events.casework import Clerk
from contracts.procedures import PROCEDURES
from runtime.auth import OPERATOR_ROLE, Identity

CLERK = "clerk"
SUPERVISOR = "supervisor"
DESK_ROLES = (CLERK, SUPERVISOR)
ALL_PROCEDURES = "*"


def clerk_of(identity: Identity) -> Clerk:
    """How events name the signed-in clerk (their own town is the first of their towns)."""
    return Clerk(
        id=identity.subject,
        name=identity.name,
        town=identity.towns[0] if identity.towns else "00000000",
        email=getattr(identity, "email", None),
    )


def is_clerk(identity: Identity) -> bool:
    """Whether the identity works at the desk at all (clerk or supervisor, with a town)."""
    return identity.has_role(*DESK_ROLES) and bool(identity.towns)


def is_supervisor(identity: Identity) -> bool:
    """Whether the identity supervises its town's desk."""
    return identity.has_role(SUPERVISOR) and bool(identity.towns)


def is_operator(identity: Identity) -> bool:
    """Whether the identity operates the platform."""
    return identity.has_role(OPERATOR_ROLE)


def handles(identity: Identity, procedure: str) -> bool:
    """Whether the procedure is one of the clerk's."""
    return procedure in identity.procedures or ALL_PROCEDURES in identity.procedures


def procedures_of(identity: Identity) -> tuple[str, ...] | None:
    """The procedures a clerk handles (``None``: all of them)."""
    if ALL_PROCEDURES in identity.procedures:
        return None
    return tuple(p for p in identity.procedures if p in PROCEDURES)


def may_work_on(identity: Identity, processing_towns: Sequence[str], procedure: str) -> bool:
    """Whether the clerk may see and work on a case processed by ``processing_towns``."""
    return (
        is_clerk(identity)
        and any(town in processing_towns for town in identity.towns)
        and handles(identity, procedure)
    )


def may_agree_for(identity: Identity, town: str) -> bool:
    """Whether the identity may change ``town``'s delegations (its supervisor, or an operator)."""
    return is_operator(identity) or (is_supervisor(identity) and town in identity.towns)
