"""The legal remedy notice (Rechtsbehelfsbelehrung) of a letter, in German (pure).

A notice that names the wrong body, form or period lets the period run for a year instead
of a month (§ 58 (2) VwGO), so the texts are fixed here once: a decision is open to an
objection (Widerspruch) at the competent town within a month of its Bekanntgabe (§ 70 VwGO);
a decision on an objection is open to an action (Klage) at the administrative court of the
town's district (§ 74 VwGO; the districts per court as the Saxon courts act assigns them).
A closing notice on a defect report decides nothing and carries no notice.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Court:
    """An administrative court (Verwaltungsgericht) with the address a notice must name."""

    name: str
    street: str
    postcode: str
    city: str

    @property
    def address(self) -> str:
        """``Rathenaustraße 40, 04179 Leipzig``."""
        return f"{self.street}, {self.postcode} {self.city}"


LEIPZIG = Court("Verwaltungsgericht Leipzig", "Rathenaustraße 40", "04179", "Leipzig")
CHEMNITZ = Court("Verwaltungsgericht Chemnitz", "Zwickauer Straße 56", "09112", "Chemnitz")
DRESDEN = Court("Verwaltungsgericht Dresden", "Hans-Oster-Straße 4", "01099", "Dresden")

COURTS: dict[str, Court] = {
    "Stadt Leipzig": LEIPZIG,
    "Landkreis Leipzig": LEIPZIG,
    "Landkreis Nordsachsen": LEIPZIG,
    "Stadt Chemnitz": CHEMNITZ,
    "Erzgebirgskreis": CHEMNITZ,
    "Landkreis Mittelsachsen": CHEMNITZ,
    "Vogtlandkreis": CHEMNITZ,
    "Landkreis Zwickau": CHEMNITZ,
    "Landeshauptstadt Dresden": DRESDEN,
    "Landkreis Bautzen": DRESDEN,
    "Landkreis Görlitz": DRESDEN,
    "Landkreis Meißen": DRESDEN,
    "Landkreis Sächsische Schweiz-Osterzgebirge": DRESDEN,
}
"""The administrative court for each Saxon district (Landkreis or kreisfreie Stadt)."""


def court_for(district: str) -> Court | None:
    """The court of a town's district; ``None`` for a district this table does not know."""
    return COURTS.get(district)


def objection_notice(authority: str, street: str, postcode: str, city: str) -> str:
    """Against a decision: Widerspruch within a month, at the competent town's address."""
    return (
        "Gegen diesen Bescheid kann innerhalb eines Monats nach seiner Bekanntgabe Widerspruch"
        f" erhoben werden. Der Widerspruch ist schriftlich oder zur Niederschrift bei der"
        f" {authority}, {street}, {postcode} {city}, einzulegen."
    )


def action_notice(court: Court | None) -> str:
    """Against a decision on an objection: Klage at the administrative court within a month."""
    where = (
        f"beim {court.name}, {court.address}," if court else "beim zuständigen Verwaltungsgericht"
    )
    return (
        "Gegen diesen Widerspruchsbescheid kann innerhalb eines Monats nach seiner Bekanntgabe"
        f" Klage {where} erhoben werden. Die Klage ist schriftlich oder zur Niederschrift des"
        " Urkundsbeamten der Geschäftsstelle des Gerichts zu erheben."
    )
