"""The forwarded XGewerbeanzeige has the structure of KoSIT's valid 2.2 sample (no XSD here)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from services.notify.domain.xgewerbeanzeige import (
    NAMESPACE,
    Address,
    Authority,
    Reader,
    Registration,
    build,
    split_street,
)

SAMPLE = Path("/work/shared/data/xgewerbeanzeige/beispiele/xgwa2.2-valid.xml")
CASE = UUID("5687cf4a-5c7b-43f1-933e-e5a7f69f7967")
MESSAGE = UUID("00000000-0000-0000-0000-000000000001")
WURZEN = Authority(
    ags="14729410",
    name="Gewerbeamt Wurzen",
    email="buergerservice@wurzen.rathauscloud.example",
    phone="+49 3425 0000-0",
    address=Address("Friedrich-Ebert-Straße", "2", "04808", "Wurzen"),
)
FINANZAMT = Reader("Finanzamt Grimma", "gewerbemeldungen.finanzamt-grimma@behoerden.example")

OMITTED = {
    # what no form version holds: the reader's authority key and address, the register
    # number and court, the craft card's issue, street keys, the residence title's issue,
    # the activity's WZ key and further activities, the birth country
    "abh.gewerbemeldung.0500/nachrichtenkopf/leser/behoerdenkennung",
    "abh.gewerbemeldung.0500/nachrichtenkopf/leser/behoerdenkennung/praefix",
    "abh.gewerbemeldung.0500/nachrichtenkopf/leser/behoerdenkennung/praefix/code",
    "abh.gewerbemeldung.0500/nachrichtenkopf/leser/behoerdenkennung/kennung",
    "abh.gewerbemeldung.0500/nachrichtenkopf/leser/behoerdenkennung/kennung/code",
    "abh.gewerbemeldung.0500/nachrichtenkopf/leser/anschrift",
    "abh.gewerbemeldung.0500/nachrichtenkopf/leser/anschrift/strasse",
    "abh.gewerbemeldung.0500/nachrichtenkopf/leser/anschrift/hausNr",
    "abh.gewerbemeldung.0500/nachrichtenkopf/leser/anschrift/ort",
    "abh.gewerbemeldung.0500/nachrichtenkopf/leser/anschrift/plz",
    *(
        f"abh.gewerbemeldung.0500/satz/anmeldung/gewerbe/betrieb/{name}"
        for name in (
            "eintragungNr",
            "eintragungOrt",
            "eintragungPLZ",
            "eintragungArt",
            "eintragungArt/code",
            "gerichtSchluessel",
            "gerichtSchluessel/code",
        )
    ),
    *(
        f"abh.gewerbemeldung.0500/satz/anmeldung/gewerbe/handwerkskarte/{name}"
        for name in (
            "ausgestelltAm",
            "ausgestelltVonPLZ",
            "ausgestelltVonOrt",
            "ausgestelltVonSchluessel",
            "ausgestelltVonSchluessel/code",
        )
    ),
    "abh.gewerbemeldung.0500/satz/anmeldung/gewerbe/anschrift/strassenschluessel",
    *(
        f"abh.gewerbemeldung.0500/satz/anmeldung/gewerbe/beteiligtePerson/aufenthaltstitel/{n}"
        for n in ("ausgestelltAm", "ausgestelltVonName", "ausgestelltVonPLZ", "ausgestelltVonOrt")
    ),
    "abh.gewerbemeldung.0500/satz/anmeldung/gewerbe/beteiligtePerson/geburtsland",
    "abh.gewerbemeldung.0500/satz/anmeldung/taetigkeitenGesamt/schwerpunkt/taetigkeitSchluessel",
    "abh.gewerbemeldung.0500/satz/anmeldung/taetigkeitenGesamt/schwerpunkt/stichwort",
    "abh.gewerbemeldung.0500/satz/anmeldung/taetigkeitenGesamt/weitereTaetigkeiten",
    "abh.gewerbemeldung.0500/satz/anmeldung/taetigkeitenGesamt/weitereTaetigkeiten/"
    "taetigkeitenZusammengefasst",
}
"""Every element of the sample that the message leaves out, for want of data."""


def form(**business: Any) -> dict[str, Any]:
    """A form of version 2: a German hairdresser with a craft card (the sample's case)."""
    return {
        "applicant": {
            "family_name": "Pick",
            "birth_name": "Rodríguez",
            "given_names": "Tibor",
            "sex": "maennlich",
            "birth_date": "1965-10-12",
            "birth_place": "Santiago",
            "nationality": "DE",
            "residence_permit_allows_self_employment": True,
            "address": {"street": "Ewald-Hase-Str. 4", "postcode": "04808", "city": "Wurzen"},
            "phone": "03425 141455",
            "email": "tibor.pick@example.org",
        },
        "business": {
            "trade_name": "Tibor Pick e.K.",
            "legal_form": "einzelunternehmen",
            "establishment": "hauptniederlassung",
            "address": {"street": "Domplatz 90", "postcode": "04808", "city": "Wurzen"},
            "activity": "Friseur",
            "start_date": "2026-12-01",
            "reason": "neugruendung",
            "sideline": False,
            "regulated_activities": [],
            "craft_trade": True,
            "handwerksrolle_number": "HWK-4711",
            "employees_full_time": 0,
            "employees_part_time": 2,
            **business,
        },
        "declaration_truthful": True,
    }


def message(data: dict[str, Any]) -> etree._Element:
    registration = Registration.from_form(
        data,
        case_id=CASE,
        case_number="WUR-2026-000017",
        submitted_at=datetime(2026, 11, 30, 23, 30, tzinfo=UTC),
    )
    xml = build(
        registration,
        author=WURZEN,
        reader=FINANZAMT,
        message_id=MESSAGE,
        created_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    )
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return etree.fromstring(xml)


def local(element: etree._Element) -> str:
    return str(etree.QName(element).localname)


def paths(root: etree._Element) -> list[str]:
    """Each element's path of local names, in document order (comments skipped)."""
    found = []
    for element in root.iter(tag=etree.Element):
        chain = [local(e) for e in (*reversed(list(element.iterancestors())), element)]
        found.append("/".join(chain))
    return found


def child_order(root: etree._Element) -> dict[str, list[str]]:
    """Per element path: its children's names in first-seen order."""
    order: dict[str, list[str]] = defaultdict(list)
    for path, element in zip(paths(root), root.iter(tag=etree.Element), strict=True):
        for child in element.iterchildren(tag=etree.Element):
            if local(child) not in order[path]:
                order[path].append(local(child))
    return order


def namespaces(root: etree._Element) -> set[str | None]:
    return {etree.QName(e).namespace for e in root.iter(tag=etree.Element) if local(e) != "code"}


@pytest.fixture(scope="module")
def sample() -> etree._Element:
    return etree.parse(str(SAMPLE)).getroot()


def test_the_message_has_the_samples_elements_in_its_order_and_namespace(
    sample: etree._Element,
) -> None:
    built = message(form())
    assert etree.QName(built) == etree.QName(sample)  # {…/spezifikation/2.2}abh.gewerbemeldung.0500
    assert etree.QName(built).namespace == NAMESPACE
    assert namespaces(built) == namespaces(sample) == {NAMESPACE}
    codes = list(built.iter("code"))  # the code values, unqualified as in the sample
    assert codes
    assert all(etree.QName(e).namespace is None for e in codes)

    assert set(paths(built)) == set(paths(sample)) - OMITTED
    sample_order = child_order(sample)
    for path, children in child_order(built).items():
        expected = [name for name in sample_order[path] if name in children]
        assert children == expected, path


def test_the_message_carries_the_registration_in_the_standards_codes() -> None:
    built = message(form())
    ns = {"x": NAMESPACE}

    def text(path: str) -> str:
        return str(built.findtext(path, namespaces=ns))

    assert built.get("standard") == "XGewerbeanzeige"
    assert built.get("version") == "2.2"
    assert text("x:nachrichtenkopf/x:identifikation.nachricht/x:nachrichtenUUID") == str(MESSAGE)
    assert text("x:nachrichtenkopf/x:identifikation.nachricht/x:nachrichtentyp/code") == "0500"
    assert text("x:nachrichtenkopf/x:leser/x:behoerdenname") == "Finanzamt Grimma"
    assert text("x:nachrichtenkopf/x:autor/x:behoerdenkennung/x:kennung/code") == "14729410"
    notice = "x:satz/x:anmeldung/"
    assert text(notice + "x:gemeindeSchluessel/code") == "14729410"
    assert text(notice + "x:gemeindeMeldungNr") == "WUR-2026-000017"
    assert text(notice + "x:uuid") == str(CASE)
    assert text(notice + "x:gewerbe/x:betriebArt/x:handwerk/code") == "1"
    assert text(notice + "x:gewerbe/x:betrieb/x:rechtsformSchluessel/code") == "180"
    assert text(notice + "x:gewerbe/x:anzahlTeilzeitBeschaeftigte") == "2"
    assert text(notice + "x:gewerbe/x:anschrift/x:strasse") == "Domplatz"
    assert text(notice + "x:gewerbe/x:anschrift/x:hausNrVon") == "90"
    person = notice + "x:gewerbe/x:beteiligtePerson/"
    assert text(person + "x:geburtsdatum") == "12101965"  # TTMMJJJJ, as the sample
    assert text(person + "x:geschlecht/code") == "1"
    assert text(person + "x:staatangehoerigkeiten/x:staatsangehoerigkeitSchluessel/code") == "000"
    assert text(notice + "x:gueltigAb") == "2026-12-01"
    assert text(notice + "x:datumMeldung") == "2026-12-01"  # 00:30 in Germany
    assert text(notice + "x:taetigkeitenGesamt/x:schwerpunkt/x:taetigkeitSchwerpunkt") == "Friseur"
    assert text(notice + "x:grundAnmeldungSchluessel/code") == "01"


def test_a_version_1_form_of_a_trade_that_is_no_craft() -> None:
    data = form(craft_trade=False, legal_form="gmbh")
    for key in ("birth_name", "sex", "birth_place"):
        del data["applicant"][key]
    for key in ("establishment", "reason", "sideline", "handwerksrolle_number"):
        del data["business"][key]
    built = message(data)
    found = set(paths(built))
    trade = "abh.gewerbemeldung.0500/satz/anmeldung/gewerbe"
    assert f"{trade}/handwerkskarte" not in found
    assert f"{trade}/beteiligtePerson/geburtsname" not in found
    ns = {"x": NAMESPACE}
    assert (
        built.findtext("x:satz/x:anmeldung/x:gewerbe/x:betriebArt/x:handwerk/code", namespaces=ns)
        == "0"
    )
    assert (
        built.findtext("x:satz/x:anmeldung/x:gewerbe/x:betriebArt/x:sonstiges/code", namespaces=ns)
        == "1"
    )
    assert (
        built.findtext(
            "x:satz/x:anmeldung/x:gewerbe/x:betrieb/x:rechtsformSchluessel/code", namespaces=ns
        )
        == "350"
    )


@pytest.mark.parametrize(
    ("line", "split"),
    [
        ("Jacobsplatz 5", ("Jacobsplatz", "5")),
        ("Domplatz 3a", ("Domplatz", "3a")),
        ("Straße des 17. Juni 12-14", ("Straße des 17. Juni", "12-14")),
        ("Am Markt", ("Am Markt", None)),
    ],
)
def test_a_street_line_is_split_into_street_and_number(
    line: str, split: tuple[str, str | None]
) -> None:
    assert split_street(line) == split


def test_birth_dates_and_start_dates_are_read_from_the_stored_form() -> None:
    registration = Registration.from_form(
        form(), case_id=CASE, case_number=None, submitted_at=datetime(2026, 11, 30, tzinfo=UTC)
    )
    assert registration.birth_date == date(1965, 10, 12)
    assert registration.craft_trade
    assert registration.craft_card
