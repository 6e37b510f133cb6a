"""The reminder's mail (Zahlungserinnerung): what is open, the fee, by when, to whom."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.notify.domain import templates
from services.notify.domain.templates import Reminder
from tests.unit.services.notify.test_case_templates import WURZEN

REMINDER = Reminder(
    open_amount=Decimal("127.00"),
    reminder_fee=Decimal("6.00"),
    amount_due=Decimal("133.00"),
    original_due_date=date(2027, 1, 15),
    due_date=date(2027, 2, 1),
    cash_reference="14729410-2026-000017",
    payee="Stadtkasse Wurzen",
    iban="DE51860555920000729410",
    bic="WELADE8LXXX",
)


def reminded(reminder: Reminder = REMINDER) -> templates.Message:
    return templates.reminder(
        WURZEN,
        name="Hedwig Quirinus-Zwetschgenbaum",
        procedure="gewerbeanmeldung",
        case_number="WUR-2026-000017",
        reminder=reminder,
    )


def test_the_reminder_says_what_is_open_the_fee_and_the_new_due_date() -> None:
    message = reminded()
    assert message.subject == (
        "Zahlungserinnerung (Mahnung): Gewerbeanmeldung – Kassenzeichen 14729410-2026-000017"
    )
    assert message.body.startswith("Guten Tag Hedwig Quirinus-Zwetschgenbaum,\n\n")
    for line in (
        "(Vorgangsnummer WUR-2026-000017) waren am 15.01.2027 fällig.",
        "Offener Betrag: 127,00 €\n",
        "Mahngebühr: 6,00 €\n",
        "Zu zahlen: 133,00 €\n",
        "Zahlbar bis: 01.02.2027\n",
        "Kassenzeichen: 14729410-2026-000017\n",
        "Empfänger: Stadtkasse Wurzen\n",
        "IBAN: DE51 8605 5592 0000 7294 10\n",
        "BIC: WELADE8LXXX\n",
        "zur Vollstreckung abgegeben",
        WURZEN.signature(),
    ):
        assert line in message.body, line
    assert "Antragskennung:" not in message.body


def test_without_an_account_the_reminder_names_none() -> None:
    message = reminded(Reminder(**{**REMINDER.__dict__, "payee": None, "iban": None, "bic": None}))
    assert "IBAN" not in message.body
    assert "Kassenzeichen: 14729410-2026-000017\n" in message.body
