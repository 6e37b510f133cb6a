"""The dog tax's direct-debit file: a schema-valid pain.008, the creditor's id checked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree  # type: ignore[import-untyped,unused-ignore]
from pydantic import ValidationError

from contracts.events.billing import DirectDebit
from contracts.fee_schedules import TownAccount
from services.billing.direct_debits import Debtor, build_file, cents, collection_date

ACCOUNT = TownAccount(
    holder="Stadtkasse Wurzen",
    iban="DE51 8605 5592 0000 7294 10",
    bic="WELADE8LXXX",
    creditor_id="DE38ZZZ14729410000",
)
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}


def test_a_file_of_two_debits_with_its_control_sum() -> None:
    debtor = Debtor("Jürgen Müßig", "DE89370400440532013000", None, date(2026, 11, 30))
    content, message_id = build_file(
        ACCOUNT,
        [
            (
                DirectDebit(
                    cash_reference="K-1", amount=Decimal("21.00"), mandate_reference="HST-K-1"
                ),
                debtor,
            ),
            (
                DirectDebit(
                    cash_reference="K-2", amount=Decimal("0.01"), mandate_reference="HST-K-2"
                ),
                debtor,
            ),
        ],
        collection=date(2027, 2, 15),
        year_text="2027",
    )
    document = etree.fromstring(content)
    assert document.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:MsgId", namespaces=NS) == message_id
    assert document.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "21.01"
    assert document.findtext(".//p:SeqTp", namespaces=NS) == "RCUR"
    assert [n.text for n in document.findall(".//p:Dbtr/p:Nm", NS)] == ["Jurgen Mussig"] * 2
    assert document.findtext(".//p:DbtrAgt//p:Id", namespaces=NS) == "NOTPROVIDED"


def test_the_collection_day_leaves_the_bank_its_lead_time() -> None:
    assert collection_date(date(2027, 2, 15), date(2026, 12, 1)) == date(2027, 2, 15)
    assert collection_date(date(2027, 2, 15), date(2027, 2, 14)) == date(2027, 2, 16)
    assert cents(Decimal("21.00")) == 2100


@pytest.mark.parametrize("wrong", ["DE39ZZZ14729410000", "DE38ZZZ", "XX", "DE38ZZZ1472941000!"])
def test_a_creditor_id_with_wrong_check_digits_or_shape_is_refused(wrong: str) -> None:
    with pytest.raises(ValidationError):
        TownAccount(holder="Kasse", iban=ACCOUNT.iban, bic=ACCOUNT.bic, creditor_id=wrong)
    assert (
        TownAccount(
            holder="Kasse", iban=ACCOUNT.iban, bic=ACCOUNT.bic, creditor_id="de98 zzz 09999999999"
        ).creditor_id
        == "DE98ZZZ09999999999"
    )
