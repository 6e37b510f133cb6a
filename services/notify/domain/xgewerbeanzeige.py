"""A trade registration as an XGewerbeanzeige 2.2 message (``abh.gewerbemeldung.0500``), pure.

The Gewerbeamt forwards every registration to the bodies § 3 GewAnzV names; XGewerbeanzeige is
the XÖV standard they receive it in. The message follows the KoSIT sample
``xgwa2.2-valid.xml`` element by element (``tests/unit/services/notify/test_xgewerbeanzeige``
compares the structures; no XSD is at hand here): the message head (id, type, reader, author),
then one ``satz`` with the ``anmeldung`` — the business, its one person, the activity.

Only what the form holds goes in; what it does not hold is left out rather than invented:
register number and court (the form keeps the register entry as one free text), street keys,
the WZ key of the activity, a reader's authority key. Codes are those the samples use:
Rechtsform GmbH 350, eingetragener Kaufmann 170, Einzelunternehmen 180; nationality
Deutschland 000 (the Destatis key — other nationalities are left out, the form keeps ISO
letters); country of an address 276. Codes no sample shows (GbR 270, other 590, the reason
codes beyond 01) follow the code lists as far as known and are marked ``UNCHECKED`` below:
check them against the XRepository lists before production.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from contracts.calendar import german_date

NAMESPACE = "http://www.xgewerbeanzeige.de/spezifikation/2.2"
MESSAGE = "abh.gewerbemeldung.0500"
MESSAGE_TYPE = "0500"
AGS_LIST = "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:ags"
GERMANY = "276"  # nationSchluessel, as in the sample

LEGAL_FORMS = {
    "einzelunternehmen": "180",
    "gmbh": "350",
    "ug": "350",  # a GmbH with less capital (§ 5a GmbHG)
    "gbr": "270",  # UNCHECKED
    "sonstige": "590",  # UNCHECKED
}
ESTABLISHMENTS = {
    "hauptniederlassung": "1",
    "zweigniederlassung": "2",
    "unselbstaendige_zweigstelle": "3",
}
REASONS = {
    "neugruendung": "01",
    "zuzug": "02",  # UNCHECKED
    "rechtsformwechsel": "04",  # UNCHECKED
    "gesellschaftereintritt": "05",  # UNCHECKED
    "uebernahme": "06",  # UNCHECKED
}
SEXES = {"maennlich": "1", "weiblich": "2"}
NATIONALITIES = {"DE": "000"}
OWNER, PARTNER = "1", "3"
"""personFunktion: the sole trader; a partner or managing director (as in the samples)."""
EMAIL, PHONE = "01", "02"
"""Kanal of an ``erreichbarkeit``."""


@dataclass(frozen=True)
class Address:
    """A postal address split as XGewerbeanzeige wants it."""

    street: str
    house_number: str | None
    postcode: str
    city: str

    @classmethod
    def parse(cls, address: Mapping[str, Any]) -> Address:
        """From a form's address ("Jacobsplatz 5" → street and number)."""
        street, number = split_street(str(address["street"]))
        return cls(street, number, str(address["postcode"]), str(address["city"]))


HOUSE_NUMBER = re.compile(
    r"^(?P<street>.*?\S)\s+(?P<number>\d+\s*[a-zA-Z]?(?:\s*[-/]\s*\d+\s*[a-zA-Z]?)?)$"
)


def split_street(line: str) -> tuple[str, str | None]:
    """Street and house number of one line ("Domplatz 3a" → ("Domplatz", "3a"))."""
    match = HOUSE_NUMBER.match(line.strip())
    if match is None:
        return line.strip(), None
    return match["street"], match["number"].replace(" ", "")


@dataclass(frozen=True)
class Authority:
    """The Gewerbeamt that writes (``autor``): the competent town."""

    ags: str
    name: str
    email: str
    phone: str
    address: Address


@dataclass(frozen=True)
class Reader:
    """The body that receives the message (``leser``)."""

    name: str
    email: str


@dataclass(frozen=True)
class Registration:
    """What the form of a Gewerbeanmeldung says, in the terms of the message."""

    case_id: UUID
    case_number: str | None
    submitted_at: datetime
    family_name: str
    given_names: str
    birth_name: str | None
    sex: str | None
    birth_date: date
    birth_place: str | None
    nationality: str
    residence_permit: bool | None
    residence: Address
    phone: str | None
    email: str
    trade_name: str | None
    legal_form: str
    establishment: str
    business_address: Address
    activity: str
    start_date: date
    reason: str
    sideline: bool
    craft_trade: bool
    craft_card: bool
    employees_full_time: int
    employees_part_time: int

    @classmethod
    def from_form(
        cls,
        form: Mapping[str, Any],
        *,
        case_id: UUID,
        case_number: str | None,
        submitted_at: datetime,
    ) -> Registration:
        """From a stored form of any version (1: what the rules need; 2 and 3: GewA 1)."""
        person, business = form["applicant"], form["business"]
        return cls(
            case_id=case_id,
            case_number=case_number,
            submitted_at=submitted_at,
            family_name=person["family_name"],
            given_names=person["given_names"],
            birth_name=person.get("birth_name"),
            sex=person.get("sex"),
            birth_date=date.fromisoformat(str(person["birth_date"])),
            birth_place=person.get("birth_place"),
            nationality=person["nationality"],
            residence_permit=person.get("residence_permit_allows_self_employment"),
            residence=Address.parse(person["address"]),
            phone=person.get("phone"),
            email=person["email"],
            trade_name=business.get("trade_name"),
            legal_form=business["legal_form"],
            establishment=business.get("establishment", "hauptniederlassung"),
            business_address=Address.parse(business["address"]),
            activity=business["activity"],
            start_date=date.fromisoformat(str(business["start_date"])),
            reason=business.get("reason", "neugruendung"),
            sideline=bool(business.get("sideline", False)),
            craft_trade=is_craft(form),
            craft_card=bool(
                business.get("handwerksrolle_number") or business.get("handwerksrolle_entry")
            ),
            employees_full_time=int(business.get("employees_full_time", 0)),
            employees_part_time=int(business.get("employees_part_time", 0)),
        )


def is_craft(form: Mapping[str, Any]) -> bool:
    """Whether the business is a craft (every form version asks ``craft_trade``)."""
    return bool(form.get("business", {}).get("craft_trade", False))


class _Writer:
    """Appends namespaced elements (``xga:``) in the order the standard gives."""

    def __init__(self) -> None:
        self.root = etree.Element(
            self.tag(MESSAGE),
            nsmap={"xga": NAMESPACE},
            produkt="RathausCloud",
            produkthersteller="RathausCloud",
            produktversion="1",
            standard="XGewerbeanzeige",
            version="2.2",
        )

    @staticmethod
    def tag(name: str) -> str:
        return f"{{{NAMESPACE}}}{name}"

    def add(self, parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        element = etree.SubElement(parent, self.tag(name))
        if text is not None:
            element.text = text
        return element

    def code(
        self, parent: etree._Element, name: str, value: str, **attributes: str
    ) -> etree._Element:
        """A code element: its value in an unqualified ``code`` child, as the sample has it."""
        element = self.add(parent, name)
        for key, attribute in attributes.items():
            element.set(key, attribute)
        etree.SubElement(element, "code").text = value
        return element

    def reachable(self, parent: etree._Element, channel: str, value: str | None) -> None:
        if value:
            way = self.add(parent, "erreichbarkeit")
            self.code(way, "kanal", channel)
            self.add(way, "kennung", value)

    def address(self, parent: etree._Element, address: Address, *, range_: bool) -> None:
        """``range_``: a business's or person's address (``hausNrVon``, with the country)."""
        element = self.add(parent, "anschrift")
        self.add(element, "strasse", address.street)
        if address.house_number:
            self.add(element, "hausNrVon" if range_ else "hausNr", address.house_number)
        self.add(element, "ort", address.city)
        self.add(element, "plz", address.postcode)
        if range_:
            self.code(element, "nationSchluessel", GERMANY, listVersionID="2")

    def author(self, parent: etree._Element, author: Authority) -> None:
        element = self.add(parent, "autor")
        key = self.add(element, "behoerdenkennung")
        self.code(key, "praefix", "MELDID", listVersionID="7")
        self.code(key, "kennung", author.ags, listURI=AGS_LIST, listVersionID="2018-01-31")
        self.reachable(element, EMAIL, author.email)
        self.reachable(element, PHONE, author.phone)
        self.address(element, author.address, range_=False)
        self.add(element, "behoerdenname", author.name)


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def build(
    registration: Registration,
    *,
    author: Authority,
    reader: Reader,
    message_id: UUID,
    created_at: datetime,
) -> bytes:
    """The message for one reader, UTF-8 with an XML declaration."""
    w = _Writer()
    head = w.add(w.root, "nachrichtenkopf")
    ident = w.add(head, "identifikation.nachricht")
    w.add(ident, "nachrichtenUUID", str(message_id))
    w.code(ident, "nachrichtentyp", MESSAGE_TYPE)
    w.add(ident, "erstellungszeitpunkt", _timestamp(created_at))
    leser = w.add(head, "leser")
    w.reachable(leser, EMAIL, reader.email)
    w.add(leser, "behoerdenname", reader.name)
    w.author(head, author)

    r = registration
    notice = w.add(w.add(w.root, "satz"), "anmeldung")
    w.add(notice, "satzErstellung", _timestamp(created_at))
    w.add(notice, "ereigniszeitpunkt", _timestamp(r.submitted_at))
    w.author(notice, author)
    w.code(notice, "istKorrektur", "0")
    w.code(notice, "gemeindeSchluessel", author.ags, listVersionID="2019-05-31")
    if r.case_number:
        w.add(notice, "gemeindeMeldungNr", r.case_number)
    w.add(notice, "gewerbebetriebID", str(r.case_id))
    w.add(notice, "uuid", str(r.case_id))

    trade = w.add(notice, "gewerbe")
    company = w.add(trade, "betrieb")
    w.add(company, "ID", "1")
    if r.trade_name:
        w.add(company, "eingetragenerName", r.trade_name)
    w.code(company, "rechtsformSchluessel", LEGAL_FORMS.get(r.legal_form, LEGAL_FORMS["sonstige"]))
    w.add(trade, "anzahlVollzeitBeschaeftigte", str(r.employees_full_time))
    w.add(trade, "anzahlTeilzeitBeschaeftigte", str(r.employees_part_time))
    kind = w.add(trade, "betriebArt")
    w.code(kind, "industrie", "0")
    w.code(kind, "handwerk", "1" if r.craft_trade else "0")
    w.code(kind, "handel", "0")
    w.code(kind, "sonstiges", "0" if r.craft_trade else "1")
    w.code(trade, "niederlassungArt", ESTABLISHMENTS.get(r.establishment, "1"))
    w.code(trade, "istReisegewerbe", "0")
    w.code(trade, "istNebenerwerb", "1" if r.sideline else "0")
    if r.craft_trade and r.craft_card:
        card = w.add(trade, "handwerkskarte")
        w.code(card, "status", "1")
    w.address(trade, r.business_address, range_=True)

    person = w.add(trade, "beteiligtePerson")
    w.code(person, "personFunktion", OWNER if r.legal_form == "einzelunternehmen" else PARTNER)
    w.add(person, "familienname", r.family_name)
    w.add(person, "vorname", r.given_names)
    if r.sex in SEXES:
        w.code(person, "geschlecht", SEXES[r.sex], listVersionID="3")
    if r.birth_name:
        w.add(person, "geburtsname", r.birth_name)
    w.add(person, "geburtsdatum", f"{r.birth_date:%d%m%Y}")
    if r.birth_place:
        w.add(person, "geburtsort", r.birth_place)
    if r.nationality in NATIONALITIES:
        nationalities = w.add(person, "staatangehoerigkeiten")
        w.code(
            nationalities,
            "staatsangehoerigkeitSchluessel",
            NATIONALITIES[r.nationality],
            listVersionID="2019-04-01",
        )
    w.address(person, r.residence, range_=True)
    w.reachable(person, PHONE, r.phone)
    w.reachable(person, EMAIL, r.email)
    if r.residence_permit:
        permit = w.add(person, "aufenthaltstitel")
        w.code(permit, "status", "1")

    w.add(notice, "gueltigAb", r.start_date.isoformat())
    w.add(notice, "datumMeldung", german_date(r.submitted_at).isoformat())
    activities = w.add(notice, "taetigkeitenGesamt")
    main = w.add(activities, "schwerpunkt")
    w.add(main, "taetigkeitSchwerpunkt", r.activity)
    w.code(notice, "grundAnmeldungSchluessel", REASONS.get(r.reason, "01"))
    return bytes(etree.tostring(w.root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
