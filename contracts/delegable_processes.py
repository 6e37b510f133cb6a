"""Work a town may have another town do for it that is no citizen's application.

Casework's delegation agreements (``DelegationAgreed``) name a procedure: which towns process a
town's cases of it. Some of a town's work is delegated the same way without being a procedure
one applies for — a service centre processing a town's incoming e-invoices (billing reads the
agreement under ``eingangsrechnung``). Such a process has no form, no fee and no case, so it
is not in ``contracts.procedures``; it is listed here, with its German title, so that the
places that accept a delegation accept it too.
"""

from __future__ import annotations

EINGANGSRECHNUNG = "eingangsrechnung"
"""Incoming e-invoices: checking, approving and releasing them for payment (billing)."""

DELEGABLE_PROCESSES: dict[str, str] = {
    EINGANGSRECHNUNG: "Eingangsrechnungen (E-Rechnungen) prüfen und freigeben",
}
"""Delegable processes that are no procedure, by id, with their German title."""
