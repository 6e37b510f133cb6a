"""The messages, in German, on each town's letterhead (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.calendar import GERMANY
from contracts.procedures import procedure_title


@dataclass(frozen=True)
class Message:
    """A rendered message."""

    subject: str
    body: str


AUTHORITY = {"Stadt": "Stadtverwaltung", "Gemeinde": "Gemeindeverwaltung"}


@dataclass(frozen=True)
class Letterhead:
    """What a town signs its messages with."""

    official_name: str
    authority: str
    """How the text names the town hall: "Stadtverwaltung Wurzen", "Gemeindeverwaltung …"."""
    office: str
    street: str
    postcode: str
    city: str
    phone: str
    email: str
    website: str

    @classmethod
    def from_profile(cls, profile: dict[str, Any], office: str) -> Letterhead:
        """From a ``TownProfilePublished`` payload."""
        address = profile["address"]
        return cls(
            official_name=profile["official_name"],
            authority=f"{AUTHORITY.get(profile.get('kind', ''), 'Verwaltung')} {profile['name']}",
            office=office,
            street=address["street"],
            postcode=address["postcode"],
            city=address["city"],
            phone=profile["phone"],
            email=profile["email"],
            website=profile["website"],
        )

    def signature(self) -> str:
        """The closing block of every message."""
        return (
            f"Mit freundlichen Grüßen\n{self.office}\n{self.official_name}\n\n"
            f"{self.street}\n{self.postcode} {self.city}\n"
            f"Telefon: {self.phone}\nE-Mail: {self.email}\n{self.website}\n"
        )


def acknowledgement(
    town: Letterhead,
    *,
    name: str,
    procedure: str,
    application_id: str,
    submitted_at: datetime,
    tracking_url: str | None,
    case_number: str | None = None,
) -> Message:
    """Eingangsbestätigung: the application has arrived.

    It promises nothing that does not come: the tracking link shows every further step.
    """
    title = procedure_title(procedure)
    local = submitted_at.astimezone(GERMANY)
    follow = (
        f"Den Stand Ihres Antrags können Sie jederzeit hier verfolgen:\n{tracking_url}\n\n"
        if tracking_url
        else ""
    )
    body = (
        f"Guten Tag {name},\n\n"
        f"Ihr Antrag „{title}“ ist am {local:%d.%m.%Y} um {local:%H:%M} Uhr bei der "
        f"{town.authority} eingegangen.\n\n"
        f"Vorgangsnummer: {case_number or application_id}\n"
        f"Antragskennung: {application_id}\n\n"
        f"{follow}"
        "Bitte antworten Sie nicht auf diese automatisch erstellte E-Mail.\n\n"
        f"{town.signature()}"
    )
    return Message(subject=f"Eingangsbestätigung: {title} – {town.official_name}", body=body)
