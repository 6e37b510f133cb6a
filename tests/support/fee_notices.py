"""A fee notice of Wurzen to render in tests, and the clerks who may have decided its case."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from services.billing.notices.notice import (
    Addressee,
    BankAccount,
    FeeLine,
    FeeNotice,
    Letterhead,
    Signatory,
)

WURZEN = Letterhead(
    official_name="Große Kreisstadt Wurzen",
    authority="Stadtverwaltung Wurzen",
    office="Gewerbeamt",
    street="Friedrich-Ebert-Straße 2",
    postcode="04808",
    city="Wurzen",
    phone="+49 3425 0000-0",
    email="buergerservice@wurzen.example",
    website="https://www.wurzen.de",
    account=BankAccount(
        holder="Große Kreisstadt Wurzen",
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
        bank="Sparkasse Muldental",
    ),
)
SACHSE = Signatory(name="Petra Sachse", town="Stadt Augustusburg")
KRAUSE = Signatory(name="Karl Krause", town="Große Kreisstadt Wurzen")
ISSUED_AT = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)  # 10:00 in Wurzen
NOTICE = FeeNotice(
    letterhead=WURZEN,
    addressee=Addressee("Hedwig Quirinus-Zwetschgenbaum", ("Domplatz 5", "04808 Wurzen")),
    kassenzeichen="5.0110.000017.9",
    case_number="WUR-2026-000017",
    procedure_title="Gewerbeanmeldung",
    decided_on=date(2026, 5, 4),
    issued_at=ISSUED_AT,
    legal_basis="§§ 1, 2 SächsVwKG i. V. m. der Verwaltungskostensatzung der Stadt Wurzen",
    lines=(FeeLine("Gebühr für die Gewerbeanmeldung", Decimal("12.50"), "Nr. 4.1.1 KV"),),
    due_on=date(2026, 6, 4),
)
