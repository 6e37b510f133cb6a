"""The application mix of the desk benchmark, as code: which town, which procedure, which
variant (and so which automated rule fails), and the application each one sends.

``bench/casework.py``'s docstring and the README give the figures and their reasons; change
them here and there together. Every application is valid: intake accepts it (201). What
varies is what casework's rules find.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from contracts import geo
from services.intake.domain.case_numbers import town_code
from tests.support.applications import example

ROOT = Path(__file__).resolve().parents[2]
MEMBERS = ROOT / "deploy" / "members"

POPULATION: dict[str, int] = {
    "14522020": 4_400,  # Augustusburg
    "14522360": 14_300,  # Mittweida
    "14523020": 18_200,  # Auerbach/Vogtl.
    "14523090": 2_700,  # Ellefeld
    "14523120": 7_900,  # Falkenstein/Vogtl.
    "14523360": 6_300,  # Rodewisch
    "14729020": 3_400,  # Belgershain
    "14729030": 5_000,  # Bennewitz
    "14729060": 8_600,  # Borsdorf
    "14729070": 9_900,  # Brandis
    "14729190": 5_700,  # Großpösna
    "14729245": 6_500,  # Lossatal
    "14729250": 7_000,  # Machern
    "14729260": 25_000,  # Markkleeberg
    "14729300": 9_100,  # Naunhof
    "14729340": 3_600,  # Parthenstein
    "14729380": 3_500,  # Thallwitz
    "14729410": 16_000,  # Wurzen
}
"""Inhabitants, rounded (the towns' figures of recent years, approximately)."""

RATE_PER_1000: dict[str, float] = {
    "gewerbeanmeldung": 7.0,
    "gewerbeummeldung": 2.5,
    "gewerbeabmeldung": 6.5,
    "hundesteuer-anmeldung": 9.0,
    "hundesteuer-abmeldung": 8.0,
    "maengelmelder": 12.0,
    "bewohnerparkausweis": 5.0,
    "verkehrsrechtliche-anordnung": 5.0,
    "sondernutzungserlaubnis": 4.0,
}
"""Applications per 1,000 inhabitants a year, where the town offers the procedure."""

Expected = Literal["automatic", "prepared", "referred"]


@dataclass(frozen=True)
class Town:
    """What the benchmark needs of a member town (from its member file)."""

    ags: str
    name: str
    postcodes: tuple[str, ...]
    area: tuple[tuple[float, float], ...]
    procedures: frozenset[str]
    automation: dict[str, str]
    delegations: dict[str, list[str]]
    zones: dict[str, list[str]] = field(default_factory=dict)

    @property
    def code(self) -> str:
        """The case numbers' town code (``WUR``)."""
        return town_code(self.name)

    @property
    def population(self) -> int:
        """Inhabitants (approximately)."""
        return POPULATION.get(self.ags, 5_000)

    def processing_towns(self, procedure: str) -> list[str]:
        """The town and those it delegated the procedure to (the member file's seed)."""
        return [self.ags, *self.delegations.get(procedure, [])]

    def point(self, rng: random.Random) -> tuple[float, float]:
        """A point inside the town's area, near its middle."""
        lat = sum(c[0] for c in self.area) / len(self.area)
        lon = sum(c[1] for c in self.area) / len(self.area)
        for spread in (0.01, 0.005, 0.002, 0.0):
            candidate = (lat + rng.uniform(-spread, spread), lon + rng.uniform(-spread, spread))
            if geo.contains(self.area, candidate):
                return candidate
        raise ValueError(f"no point found inside {self.name}")

    def section(self, rng: random.Random) -> tuple[tuple[float, float], tuple[float, float]]:
        """A short street section inside the town's area (a traffic order's place)."""
        while True:
            start = self.point(rng)
            end = (start[0] + 0.0008, start[1] + 0.0012)
            if geo.covers(self.area, [start, end]):
                return start, end


def member_towns(folder: Path = MEMBERS) -> list[Town]:
    """Every member town, in AGS order."""
    towns = []
    for path in sorted(folder.glob("*.toml")):
        member = tomllib.loads(path.read_text(encoding="utf-8"))
        town, casework = member["town"], member.get("casework", {})
        towns.append(
            Town(
                ags=town["ags"],
                name=town["name"],
                postcodes=tuple(town["postcodes"]),
                area=tuple((c[0], c[1]) for c in town.get("area", [])),
                procedures=frozenset(member.get("intake", {}).get("procedures", {})),
                automation=dict(casework.get("automation", {})),
                delegations={k: list(v) for k, v in casework.get("delegations", {}).items()},
                zones={k: list(v) for k, v in casework.get("parking_zones", {}).items()},
            )
        )
    return towns


@dataclass(frozen=True)
class Variant:
    """One kind of application of a procedure, its share, and whether every rule passes."""

    name: str
    share: float
    passes: bool
    upload: tuple[str, ...] = ()
    """The form field naming a file that is uploaded first (a permission document)."""


PERMISSION = ("vehicle", "permission_document")
VARIANTS: dict[str, tuple[Variant, ...]] = {
    "gewerbeanmeldung": (
        Variant("rules_pass", 0.77, True),
        Variant("non_eu_title_allows_self_employment", 0.08, True),
        Variant("permit_requiring_trade", 0.09, False),
        Variant("craft_trade_without_handwerksrolle", 0.03, False),
        Variant("non_eu_title_not_shown", 0.02, False),
        Variant("business_outside_town", 0.01, False),
    ),
    "gewerbeummeldung": (
        Variant("relocated_within_town", 0.59, True),
        Variant("activity_restricted", 0.10, True),
        Variant("activity_extended", 0.20, False),
        Variant("activity_changed", 0.10, False),
        Variant("business_outside_town", 0.01, False),
    ),
    "gewerbeabmeldung": (
        Variant("rules_pass", 0.99, True),
        Variant("business_outside_town", 0.01, False),
    ),
    "bewohnerparkausweis": (
        Variant("resident_holder", 0.75, True),
        Variant("address_outside_zone", 0.08, False),
        Variant("company_car", 0.08, False, upload=PERMISSION),
        Variant("leasing_car", 0.04, False, upload=PERMISSION),
        Variant("car_of_another_person", 0.03, False, upload=PERMISSION),
        Variant("same_vehicle_again", 0.02, False),
    ),
    "verkehrsrechtliche-anordnung": (
        Variant("planned", 0.90, False),
        Variant("urgent", 0.10, False),
    ),
    "hundesteuer-anmeldung": (
        Variant("first_dog", 0.87, False),
        Variant("another_dog", 0.12, False),
        Variant("listed_dangerous_breed", 0.01, False, upload=("dog", "certificate")),
    ),
    "hundesteuer-abmeldung": (Variant("dog_given_away", 1.0, False),),
    "maengelmelder": (
        Variant("in_town", 0.97, False),
        Variant("in_neighbouring_member_town", 0.03, False),
    ),
    "sondernutzungserlaubnis": (Variant("special_use", 1.0, False),),
}
"""Per procedure: what applicants send, and how often. Procedures whose variants never
``pass`` are decided by a clerk anyway (no automated decision exists for them)."""

AUTOMATABLE = frozenset(
    {"gewerbeanmeldung", "gewerbeummeldung", "gewerbeabmeldung", "bewohnerparkausweis"}
)

FAMILY_NAMES = (
    *("Müller", "Schmidt", "Schneider", "Richter", "Fischer", "Weber", "Meyer", "Wagner"),
    *("Krause", "Lehmann", "Schulze", "Hoffmann", "Neumann", "Becker", "Schulz", "Hofmann"),
    *("Schröter", "Fiedler", "Günther", "Kühn", "Winkler", "Lorenz", "Seidel", "Hempel"),
    *("Ludwig", "Böhme", "Zimmermann", "Schubert", "Werner", "Köhler", "Walther", "Hartmann"),
    *("Franke", "Schwarz", "Lange", "Kaiser", "Thomas", "Krüger", "Vogel", "Friedrich"),
    *("Herrmann", "Arnold", "Petzold", "Uhlig", "Voigt", "Zschau", "Beyer", "Graf"),
)
"""Frequent family names in Saxony, most frequent first (roughly)."""
_STEMS = (
    *("Ober", "Holz", "Stein", "Wald", "Berg", "Feld", "Brück", "Kirch", "Mühl", "Linden"),
    *("Rosen", "Eichen", "Sommer", "Winter", "Birn", "Quast", "Zwetsch", "Hasel"),
)
_ENDS = ("mann", "er", "bauer", "meier", "berger", "hofer", "ner", "stedt", "brecht", "stiel")
RARE_FAMILY_NAMES = tuple(stem + end.lower() for stem in _STEMS for end in _ENDS)
ALL_FAMILY_NAMES = FAMILY_NAMES + RARE_FAMILY_NAMES
GIVEN_NAMES = (
    *("Anna", "Maria", "Sabine", "Petra", "Katrin", "Anja", "Susanne", "Julia", "Lea", "Emma"),
    *("Sophie", "Marie", "Andrea", "Claudia", "Heike", "Monika", "Lena", "Hannah", "Mia", "Ute"),
    *("Thomas", "Michael", "Andreas", "Frank", "Jens", "Uwe", "Stefan", "Matthias", "Paul"),
    *("Lukas", "Felix", "Jonas", "Maximilian", "Tobias", "Daniel", "Sven", "Ronny", "Dirk"),
)
NAME_SKEW = 1.15
"""A name's index is ``len(names) * u ** NAME_SKEW``: Müller about 1 % of applicants."""
STREETS = ("Lindenstraße", "Gartenweg", "Am Sportplatz", "Bahnhofstraße", "Schulstraße")
PERMIT_TRADES = ("gaststaette",) * 4 + ("34a", "34c", "34d", "34f", "34i", "33i")
NON_EU = ("UA", "SY", "VN", "TR", "RU", "AF", "IN", "CN", "US")
PLATE_DISTRICT = {"14522": "FG", "14523": "V", "14729": "L"}


def name_index(u: float, count: int) -> int:
    """Where a uniform number ``u`` falls in a list of names sorted by frequency."""
    return min(count - 1, int(count * u**NAME_SKEW))


@dataclass(frozen=True)
class Planned:
    """One application to submit: to which town, of which procedure, of which variant."""

    index: int
    town: Town
    procedure: str
    variant: Variant
    body: dict[str, Any]

    @property
    def expected(self) -> Expected:
        """What casework should do with it, by the member file and the rules."""
        if self.procedure not in AUTOMATABLE or not self.variant.passes:
            return "referred"
        mode = self.town.automation.get(self.procedure)
        return "automatic" if mode == "full" else "prepared"


def plan(count: int, towns: list[Town], seed: int = 9) -> list[Planned]:
    """``count`` applications drawn from the mix (the same ones for the same seed)."""
    rng = random.Random(seed)
    offers = [(t, p) for t in towns for p in sorted(t.procedures) if p in RATE_PER_1000]
    weights = [t.population * RATE_PER_1000[p] for t, p in offers]
    plates: dict[str, list[str]] = {}
    planned = []
    for index, (town, procedure) in enumerate(rng.choices(offers, weights, k=count)):
        variants = VARIANTS[procedure]
        variant = rng.choices(variants, [v.share for v in variants])[0]
        if variant.name == "same_vehicle_again" and not plates.get(town.ags):
            variant = variants[0]  # nothing applied for yet in this town
        body = BUILDERS[procedure](Draw(rng, town, variant, index, plates, towns))
        planned.append(Planned(index, town, procedure, variant, body))
    return planned


@dataclass
class Draw:
    """What a body builder draws from: the dice, the town, the variant, what came before."""

    rng: random.Random
    town: Town
    variant: Variant
    index: int
    plates: dict[str, list[str]]
    towns: list[Town]

    def person(self) -> tuple[str, str]:
        """(given names, family name)."""
        family = ALL_FAMILY_NAMES[name_index(self.rng.random(), len(ALL_FAMILY_NAMES))]
        return self.rng.choice(GIVEN_NAMES), family

    def address(self, street: str | None = None) -> dict[str, str]:
        """An address in the town."""
        number = self.rng.randint(1, 90)
        return {
            "street": f"{street or self.rng.choice(STREETS)} {number}",
            "postcode": self.rng.choice(self.town.postcodes),
            "city": self.town.name,
        }

    def is_(self, *names: str) -> bool:
        """Whether the drawn variant is one of ``names``."""
        return self.variant.name in names


ELSEWHERE = {"street": "Obermarkt 1", "postcode": "04720", "city": "Döbeln"}
"""A business address outside every member town (applied in the wrong town)."""


def _gewerbeanmeldung(d: Draw) -> dict[str, Any]:
    given, family = d.person()
    changes: dict[str, Any] = {
        "form__applicant__given_names": given,
        "form__applicant__family_name": family,
        "form__applicant__address": d.address(),
        "form__business__trade_name": f"{family} Dienstleistungen {d.index}",
        "form__business__address": ELSEWHERE if d.is_("business_outside_town") else d.address(),
    }
    if d.is_("permit_requiring_trade"):
        changes["form__business__regulated_activities"] = [d.rng.choice(PERMIT_TRADES)]
    if d.is_("craft_trade_without_handwerksrolle"):
        changes["form__business__craft_trade"] = True
    if d.is_("non_eu_title_allows_self_employment", "non_eu_title_not_shown"):
        changes["form__applicant__nationality"] = d.rng.choice(NON_EU)
        changes["form__applicant__residence_permit_allows_self_employment"] = d.is_(
            "non_eu_title_allows_self_employment"
        )
    return example("gewerbeanmeldung", **changes)


def _gewerbeummeldung(d: Draw) -> dict[str, Any]:
    given, family = d.person()
    change = {
        "relocated_within_town": "keine",
        "activity_restricted": "einschraenkung",
        "activity_extended": "erweiterung",
        "activity_changed": "wechsel",
    }.get(d.variant.name, "keine")
    return example(
        "gewerbeummeldung",
        form__trader__given_names=given,
        form__trader__family_name=family,
        form__trader__address=d.address(),
        form__business__trade_name=f"{family} Handel {d.index}",
        form__business__previous_address=d.address(),
        form__business__address=ELSEWHERE if d.is_("business_outside_town") else d.address(),
        form__business__activity_change=change,
    )


def _gewerbeabmeldung(d: Draw) -> dict[str, Any]:
    given, family = d.person()
    return example(
        "gewerbeabmeldung",
        form__trader__given_names=given,
        form__trader__family_name=family,
        form__trader__address=d.address(),
        form__business__trade_name=f"{family} Werkstatt {d.index}",
        form__business__address=ELSEWHERE if d.is_("business_outside_town") else d.address(),
    )


def _bewohnerparkausweis(d: Draw) -> dict[str, Any]:
    given, family = d.person()
    zone, streets = next(iter(d.town.zones.items()))
    street = "Am Sportplatz" if d.is_("address_outside_zone") else d.rng.choice(streets)
    earlier = d.plates.setdefault(d.town.ags, [])
    if d.is_("same_vehicle_again"):
        plate = d.rng.choice(earlier)
    else:
        district = PLATE_DISTRICT.get(d.town.ags[:5], "L")
        letters = "".join(d.rng.choice("ABCDEFGHKLMNPRSTUVWZ") for _ in range(2))
        plate = f"{district}-{letters} {d.index % 9000 + 1}"
        earlier.append(plate)
    use = {"company_car": "firmenwagen", "leasing_car": "leasing"}.get(d.variant.name, "halter")
    use = "ueberlassen" if d.is_("car_of_another_person") else use
    return example(
        "bewohnerparkausweis",
        form__applicant__given_names=given,
        form__applicant__family_name=family,
        form__applicant__address=d.address(street),
        form__parking_zone=zone,
        form__vehicle__plate=plate,
        form__vehicle__use=use,
    )


def _traffic_order(d: Draw) -> dict[str, Any]:
    given, family = d.person()
    start, end = d.town.section(d.rng)
    changes: dict[str, Any] = {
        "form__applicant__name": f"{family} Tiefbau GmbH",
        "form__applicant__contact_person": f"{given} {family}",
        "form__applicant__address": d.address(),
        "form__location__street": d.rng.choice(STREETS),
        "form__location__section": {
            "start": {"lat": start[0], "lon": start[1]},
            "end": {"lat": end[0], "lon": end[1]},
        },
        "form__traffic__restriction": d.rng.choice(
            ("vollsperrung", "halbseitige_sperrung", "halbseitige_sperrung", "gehwegsperrung")
        ),
    }
    if d.is_("urgent"):
        changes["form__urgent"] = True
        changes["form__urgent_reason"] = "Wasserrohrbruch, die Reparatur duldet keinen Aufschub."
    return example("verkehrsrechtliche-anordnung", **changes)


def _dog_registration(d: Draw) -> dict[str, Any]:
    given, family = d.person()
    return example(
        "hundesteuer-anmeldung",
        form__keeper__given_names=given,
        form__keeper__family_name=family,
        form__keeper__address=d.address(),
        form__dog__name=d.rng.choice(("Bello", "Luna", "Balu", "Emma", "Rocky", "Paula")),
        form__dog__dangerous_breed=d.is_("listed_dangerous_breed"),
        form__other_dogs=1 if d.is_("another_dog") else 0,
        form__mandate__account_holder=f"{given} {family}",
    )


def _dog_deregistration(d: Draw) -> dict[str, Any]:
    given, family = d.person()
    return example(
        "hundesteuer-abmeldung",
        form__keeper__given_names=given,
        form__keeper__family_name=family,
        form__keeper__address=d.address(),
    )


def _defect_report(d: Draw) -> dict[str, Any]:
    given, family = d.person()
    where = d.town
    if d.is_("in_neighbouring_member_town"):
        near = [t for t in d.towns if t.ags[:5] == d.town.ags[:5] and t.ags != d.town.ags]
        where = d.rng.choice(near or [d.town])
    lat, lon = where.point(d.rng)
    return example(
        "maengelmelder",
        form__category=d.rng.choice(("schlagloch", "strassenbeleuchtung", "muell", "sonstiges")),
        form__point={"lat": lat, "lon": lon},
        form__reporter__name=f"{given} {family}",
    )


def _special_use(d: Draw) -> dict[str, Any]:
    given, family = d.person()
    lat, lon = d.town.point(d.rng)
    return example(
        "sondernutzungserlaubnis",
        form__applicant__company=f"{family} Bau GmbH",
        form__applicant__given_names=given,
        form__applicant__family_name=family,
        form__applicant__address=d.address(),
        form__use__category=d.rng.choice(("geruest", "container", "freisitz", "geruest")),
        form__use__area_m2=f"{d.rng.randint(4, 60)}.00",
        form__location__point={"lat": lat, "lon": lon},
    )


BUILDERS: dict[str, Callable[[Draw], dict[str, Any]]] = {
    "gewerbeanmeldung": _gewerbeanmeldung,
    "gewerbeummeldung": _gewerbeummeldung,
    "gewerbeabmeldung": _gewerbeabmeldung,
    "bewohnerparkausweis": _bewohnerparkausweis,
    "verkehrsrechtliche-anordnung": _traffic_order,
    "hundesteuer-anmeldung": _dog_registration,
    "hundesteuer-abmeldung": _dog_deregistration,
    "maengelmelder": _defect_report,
    "sondernutzungserlaubnis": _special_use,
}


def expected_shares(towns: list[Town]) -> dict[Expected, float]:
    """What the mix should give, as shares of all applications (the docstring's figures)."""
    offers = [(t, p) for t in towns for p in sorted(t.procedures) if p in RATE_PER_1000]
    total = sum(t.population * RATE_PER_1000[p] for t, p in offers)
    shares: dict[Expected, float] = {"automatic": 0.0, "prepared": 0.0, "referred": 0.0}
    for town, procedure in offers:
        weight = town.population * RATE_PER_1000[procedure] / total
        passing = sum(v.share for v in VARIANTS[procedure] if v.passes)
        if procedure in AUTOMATABLE:
            mode: Expected = "automatic" if town.automation.get(procedure) == "full" else "prepared"
            shares[mode] += weight * passing
            shares["referred"] += weight * (1 - passing)
        else:
            shares["referred"] += weight
    return shares
