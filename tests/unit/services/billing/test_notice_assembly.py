"""From an assessed fee to its notice: addressee, letterhead and account, lines, Im Auftrag."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from contracts.events.billing import FeeAssessed
from contracts.fee_schedules import FeeLine, TownAccount
from devstack.examples import example
from services.billing.notices.assembly import (
    Applicant,
    Decision,
    addressee,
    fee_notice,
    letterhead,
    notice_lines,
)
from services.billing.notices.notice import Addressee, Signatory
from services.billing.notices.pdf import render

PROFILE = {
    "ags": "14729410",
    "name": "Wurzen",
    "official_name": "Große Kreisstadt Wurzen",
    "kind": "Stadt",
    "address": {"street": "Friedrich-Ebert-Straße 2", "postcode": "04808", "city": "Wurzen"},
    "phone": "+49 3425 0000-0",
    "email": "buergerservice@wurzen.example",
    "website": "https://www.wurzen.de",
}
ACCOUNT = TownAccount(
    holder="Stadtkasse Wurzen",
    iban="DE51 8605 5592 0000 7294 10",
    bic="WELADE8LXXX",
    bank="Stadt- und Kreissparkasse Leipzig",
)
DECIDED = datetime(2026, 5, 3, 22, 30, tzinfo=UTC)  # 4 May in Wurzen
ASSESSED = FeeAssessed(
    case_id=UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10"),
    procedure="gewerbeanmeldung",
    amount=Decimal("26.00"),
    cash_reference="14729410-2026-000017",
    due_date=date(2026, 6, 3),
    assessed_at=DECIDED,
    lines=[
        FeeLine(
            what="Gewerbeanmeldung", quantity=Decimal(1), unit="", rate=Decimal(26), subtotal=26
        )
    ],
    legal_basis="Verwaltungskostensatzung der Großen Kreisstadt Wurzen, Nr. 4.1.1",
)


def gewerbe() -> Applicant:
    body = example("gewerbeanmeldung", on=date(2026, 5, 1))
    return Applicant("gewerbeanmeldung", 1, body["form"], "H. Quirinus")


def test_the_addressee_is_the_form_s_first_group_with_a_name_and_an_address() -> None:
    assert addressee(gewerbe()) == Addressee(
        "Hedwig Quirinus-Zwetschgenbaum", ("Jacobsplatz 5", "04808 Wurzen")
    )


def test_a_form_that_cannot_be_read_falls_back_to_the_contact_and_erased_to_nobody() -> None:
    assert addressee(Applicant("gewerbeanmeldung", 1, {"x": 1}, "H. Quirinus")) == Addressee(
        "H. Quirinus"
    )
    assert addressee(Applicant("gewerbeanmeldung", 1, None, None)) is None


def test_the_letterhead_pays_to_the_town_s_account() -> None:
    head = letterhead(PROFILE, "Gewerbeamt", ACCOUNT)

    assert (head.authority, head.office) == ("Stadtverwaltung Wurzen", "Gewerbeamt")
    assert (head.account.holder, head.account.iban) == ("Stadtkasse Wurzen", ACCOUNT.iban)
    assert letterhead(PROFILE, None, ACCOUNT).office == "Stadtkasse"


def test_whole_cent_lines_are_listed_and_others_summed_up_in_one() -> None:
    assert [(line.label, line.amount) for line in notice_lines(ASSESSED)] == [
        ("Gewerbeanmeldung", Decimal(26))
    ]
    shares = ASSESSED.model_copy(
        update={
            "amount": Decimal("58.33"),
            "lines": [
                FeeLine(
                    what="7 Monate von 12",
                    quantity=Decimal(7),
                    unit="Monate von 12",
                    rate=Decimal(100),
                    subtotal=Decimal("58.3333333333"),
                )
            ],
        }
    )
    assert [(line.label, line.amount) for line in notice_lines(shares)] == [
        ("Gebühr: Gewerbeanmeldung", Decimal("58.33"))
    ]


def test_the_notice_carries_the_assessment_s_reference_amount_and_due_date() -> None:
    notice = fee_notice(
        ASSESSED,
        town=letterhead(PROFILE, "Gewerbeamt", ACCOUNT),
        to=Addressee("Hedwig Quirinus-Zwetschgenbaum"),
        case_number="WUR-2026-000017",
        decision=Decision(decided_at=DECIDED),
        issued_at=DECIDED,
    )

    assert notice.kassenzeichen == "14729410-2026-000017"
    assert notice.total == Decimal("26.00")
    assert notice.due_on == date(2026, 6, 3)
    assert notice.decided_on == date(2026, 5, 4)  # the day in Germany
    assert notice.legal_basis.startswith("Verwaltungskostensatzung der Großen Kreisstadt")
    assert notice.decided_by is None
    assert not notice.on_behalf
    assert render(notice).startswith(b"%PDF")


def test_another_town_s_clerk_signs_im_auftrag_and_the_own_town_s_does_not() -> None:
    def signed(town_name: str) -> tuple[Signatory | None, bool]:
        notice = fee_notice(
            ASSESSED,
            town=letterhead(PROFILE, "Gewerbeamt", ACCOUNT),
            to=Addressee("Hedwig Quirinus-Zwetschgenbaum"),
            case_number="WUR-2026-000017",
            decision=Decision(DECIDED, "Petra Sachse", town_name),
            issued_at=DECIDED,
        )
        return notice.decided_by, notice.on_behalf

    assert signed("Stadt Augustusburg") == (Signatory("Petra Sachse", "Stadt Augustusburg"), True)
    assert signed("Große Kreisstadt Wurzen")[1] is False
