"""Who receives a town's trade registrations, and the cover text they come with (pure).

§ 14 GewO with § 3 GewAnzV: the Gewerbeamt passes each registration on. A town's member file
names the bodies under ``[notify.forwarding.<kind>]`` (name, email); the kinds notify knows:

* ``finanzamt`` — the tax office (§ 138 AO), always;
* ``ihk`` — the Chamber of Industry and Commerce, for every trade that is not a craft;
* ``handwerkskammer`` — the Chamber of Crafts, for a craft (the form's ``craft_trade``, which
  every form version asks). A craft business belongs to the Handwerkskammer (§ 90 HwO) and not
  to the IHK (§ 2 Abs. 3 IHKG), so it goes to the one and not the other; a mixed business's
  non-craft part is for the chambers to settle between them;
* ``statistik`` — the Statistisches Landesamt (§ 14 Abs. 13 GewO), always;
* ``gewerbeaufsicht`` — the trade inspectorate (occupational safety at the Landesdirektion),
  always.

A kind a town does not name is skipped (nothing to send it to); an unknown kind is refused
when the member file is read, so that a typo does not silently stop a forwarding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.calendar import GERMANY
from services.notify.domain.templates import Letterhead, Message

KINDS = ("finanzamt", "ihk", "handwerkskammer", "statistik", "gewerbeaufsicht")
"""The recipients' kinds, in the order they are sent to."""
CRAFT_ONLY, NOT_FOR_CRAFTS = frozenset({"handwerkskammer"}), frozenset({"ihk"})
TEMPLATE_PREFIX = "xgewerbeanzeige."
"""A forwarding's template is ``xgewerbeanzeige.<kind>`` (``MessageDelivered.template``)."""


class ForwardingConfigInvalid(ValueError):
    """A member file's ``[notify.forwarding]`` cannot be used; the message says why."""


@dataclass(frozen=True)
class Recipient:
    """One body a registration goes to."""

    kind: str
    name: str
    email: str

    @property
    def template(self) -> str:
        """The template name its messages record."""
        return f"{TEMPLATE_PREFIX}{self.kind}"


def from_member_file(section: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The recipients a member file's ``[notify.forwarding]`` names, checked, by kind."""
    recipients: dict[str, dict[str, str]] = {}
    for kind, entry in sorted(section.items()):
        if kind not in KINDS:
            raise ForwardingConfigInvalid(f"unknown recipient {kind!r} (known: {', '.join(KINDS)})")
        if not isinstance(entry, Mapping) or set(entry) != {"name", "email"}:
            raise ForwardingConfigInvalid(f"{kind}: name and email, nothing else")
        name, email = entry["name"], entry["email"]
        if not (isinstance(name, str) and name.strip()) or not (
            isinstance(email, str) and "@" in email
        ):
            raise ForwardingConfigInvalid(f"{kind}: a name and an e-mail address")
        recipients[kind] = {"name": name.strip(), "email": email.strip()}
    return recipients


def select(configured: Mapping[str, Mapping[str, str]], *, craft: bool) -> list[Recipient]:
    """The bodies one registration goes to, in ``KINDS`` order."""
    chosen = []
    for kind in KINDS:
        entry = configured.get(kind)
        if entry is None:
            continue
        if (kind in CRAFT_ONLY and not craft) or (kind in NOT_FOR_CRAFTS and craft):
            continue
        chosen.append(Recipient(kind, entry["name"], entry["email"]))
    return chosen


def filename(case_number: str | None, case_id: object) -> str:
    """The attachment's file name."""
    return f"xgewerbeanzeige-{case_number or case_id}.xml"


def cover(
    town: Letterhead,
    recipient: Recipient,
    *,
    case_number: str | None,
    case_id: object,
    submitted_at: datetime,
) -> Message:
    """The short German mail the message is attached to (no personal data in it)."""
    number = case_number or str(case_id)
    local = submitted_at.astimezone(GERMANY)
    body = (
        f"An: {recipient.name}\n\n"
        "Sehr geehrte Damen und Herren,\n\n"
        f"anbei erhalten Sie gemäß § 14 GewO in Verbindung mit § 3 GewAnzV die "
        f"Gewerbeanmeldung vom {local:%d.%m.%Y} (Vorgangsnummer {number}) als "
        f"XGewerbeanzeige-Nachricht (Version 2.2) im Anhang "
        f"„{filename(case_number, case_id)}“.\n\n"
        "Diese E-Mail wurde automatisch erstellt. Rückfragen richten Sie bitte an die "
        "unten genannte Stelle.\n\n"
        f"{town.signature()}"
    )
    return Message(
        subject=f"Gewerbeanmeldung {number} – {town.official_name} (XGewerbeanzeige)",
        body=body,
    )
