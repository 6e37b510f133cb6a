"""Routing an incoming invoice by its Leitweg-ID to a member town, and the invoice addresses."""

from __future__ import annotations

from pathlib import Path

from runtime.members import read_member_files
from services.billing.einvoices.routing import (
    RULE_MALFORMED,
    RULE_MISSING,
    RULE_UNKNOWN,
    MemberTown,
    NotRouted,
    Routed,
    address_note,
    member_towns,
    route,
    town_of_address,
)

MEMBERS = Path(__file__).resolve().parents[4] / "deploy" / "members"
TOWNS = member_towns(read_member_files(MEMBERS))
BY_NAME = {town.name: town for town in TOWNS}
WURZEN = BY_NAME["Wurzen"]


def test_every_member_town_has_a_leitweg_id_and_its_own_invoice_address() -> None:
    assert len(TOWNS) == len(list(MEMBERS.glob("*.toml")))
    assert (
        MemberTown(
            ags="14729410",
            name="Wurzen",
            leitweg_id="147290410410-0001-45",
            invoice_address="e-rechnung@wurzen.rathauscloud.example",
        )
        == WURZEN
    )
    assert len({town.invoice_address for town in TOWNS}) == len(TOWNS)
    assert len({town.leitweg_id for town in TOWNS}) == len(TOWNS)
    for town in TOWNS:
        assert route(town.leitweg_id, TOWNS) == Routed(town), town.name


def test_a_member_leitweg_id_routes_to_its_town_whatever_the_case_and_spaces() -> None:
    assert route(" 147290410410-0001-45\n", TOWNS) == Routed(WURZEN)
    augustusburg = BY_NAME["Augustusburg"]
    assert route(augustusburg.leitweg_id.lower(), TOWNS) == Routed(augustusburg)


def test_no_buyer_reference_is_not_routed() -> None:
    for missing in (None, "", "   "):
        verdict = route(missing, TOWNS)
        assert isinstance(verdict, NotRouted)
        assert verdict.rule_id == RULE_MISSING
        assert "Käuferreferenz (BT-10)" in verdict.reason


def test_a_wrong_check_digit_or_form_is_not_routed_and_says_why() -> None:
    typo = route("147290410410-0001-46", TOWNS)
    assert isinstance(typo, NotRouted)
    assert typo.rule_id == RULE_MALFORMED
    assert "Prüfziffern" in typo.reason
    assert "richtig wären 45" in typo.reason
    nonsense = route("Bestellung 4711", TOWNS)
    assert isinstance(nonsense, NotRouted)
    assert nonsense.rule_id == RULE_MALFORMED


def test_a_valid_leitweg_id_of_no_member_is_not_routed() -> None:
    # The official test invoices' buyer reference (a valid id of no member town).
    verdict = route("04011000-12345-03", TOWNS)
    assert verdict == NotRouted(
        RULE_UNKNOWN,
        "Die Leitweg-ID „04011000-12345-03“ gehört zu keiner Gemeinde, die ihre Rechnungen hier"
        " empfängt. Bitte senden Sie die Rechnung an den Rechnungsempfänger, dem diese"
        " Leitweg-ID gehört.",
    )


def test_a_town_without_leitweg_id_receives_no_invoices() -> None:
    members = [
        {"town": {"ags": "14729410", "name": "Wurzen", "leitweg_id": "147290410410-0001-45"}},
        {"town": {"ags": "14729380", "name": "Thallwitz"}},
    ]
    assert [town.ags for town in member_towns(members)] == ["14729410"]


def test_invoice_addresses_name_their_town_and_a_mismatch_is_noted() -> None:
    assert town_of_address("E-Rechnung@Wurzen.RathausCloud.example", TOWNS) == WURZEN
    assert town_of_address("buergerservice@wurzen.rathauscloud.example", TOWNS) is None
    augustusburg = BY_NAME["Augustusburg"]
    assert address_note(WURZEN, WURZEN) is None
    assert address_note(None, WURZEN) is None
    assert address_note(augustusburg, WURZEN) == (
        "Die Rechnung ging an die Rechnungsadresse von Augustusburg, nennt aber die"
        " Leitweg-ID von Wurzen; sie wurde nach der Leitweg-ID Wurzen zugeordnet."
    )
