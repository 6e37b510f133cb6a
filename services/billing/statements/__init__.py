"""Bank statements: camt.053/camt.054 files read safely, and their credits matched to claims.

Pure modules, no I/O beyond the bytes given:

- ``parse_camt(data)`` → ``tuple[Statement, ...]`` (``camt.py``), or ``StatementRefused``
  with a code and a German message for each problem (``refusals.py``);
- ``reconcile(statements, claims, account_towns=…, booked=…)`` → ``Reconciliation``
  (``matching.py``): bookings, clarification items, skipped entries, and the idempotency keys
  to keep (``keys.py``).
"""

from services.billing.statements.camt import SUPPORTED, parse_camt
from services.billing.statements.matching import reconcile
from services.billing.statements.model import (
    Direction,
    Entry,
    MessageKind,
    Party,
    Remittance,
    Statement,
    Transaction,
)
from services.billing.statements.outcomes import (
    Booking,
    BookingKind,
    Claim,
    Clarification,
    MatchedBy,
    Reconciliation,
    Skipped,
    Source,
)
from services.billing.statements.refusals import Problem, StatementRefused
from services.billing.statements.safe_xml import MAX_BYTES

__all__ = [
    "MAX_BYTES",
    "SUPPORTED",
    "Booking",
    "BookingKind",
    "Claim",
    "Clarification",
    "Direction",
    "Entry",
    "MatchedBy",
    "MessageKind",
    "Party",
    "Problem",
    "Reconciliation",
    "Remittance",
    "Skipped",
    "Source",
    "Statement",
    "StatementRefused",
    "Transaction",
    "parse_camt",
    "reconcile",
]
