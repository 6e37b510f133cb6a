"""The dog-tax register and the annual run, through intake, casework and billing on real servers.

Three dogs are registered in Wurzen and approved by a clerk: two of one keeper (Bello, with a
direct-debit mandate, and Rex), one of another keeper (Hasso, paying by transfer). Each gets
the town's next tag number; one keeper's dogs share a pseudonym, the register holds no name
of a person. Rex is deregistered by his tag. An operator then assesses the coming year: one
claim per keeper for the dogs still kept — 84,00 € each by Wurzen's statute of 2025, in four
instalments of 21,00 € — recorded as ``DogTaxAssessed`` with its Kassenzeichen, and open on
the claims API. Running the year again assesses nobody twice. Each keeper receives exactly one
mail with the Hundesteuerbescheid attached (``DogTaxNoticeIssued``): the instalments listed,
Bello's keeper told of the direct debit (no GiroCode), Hasso's given the GiroCode of the first
instalment.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from contracts.calendar import today
from contracts.events.billing import DogTaxAssessed, DogTaxNoticeIssued
from runtime.service import Runtime
from tests.e2e.test_case_letters import APPLICANT, mail_to, pdf_text, wait_for_mail
from tests.e2e.test_fee_notices import billing_log, girocode
from tests.e2e.test_finance_export import billing_events
from tests.e2e.test_statement_import import WURZEN_IBAN, XML, as_treasury, claim_when
from tests.support.applications import WURZEN, hundesteuer_abmeldung, hundesteuer_anmeldung
from tests.support.desk import case_when, clerk_token, desk_client, submitted
from tests.support.issuer import DevIssuer
from tests.support.mail import SmtpServer
from tests.support.suite import Suite
from tests.unit.services.billing.statements.camt_files import entry, statement

__all__ = ["billing_log"]  # the fixture, used here by name

OTHER_KEEPER = {
    "form__keeper__family_name": "Brause",
    "form__keeper__given_names": "Otto",
    "form__keeper__address": {"street": "Domplatz 1", "postcode": "04808", "city": "Wurzen"},
    "form__keeper__email": "otto.brause@example.org",
    "form__direct_debit": False,
    "form__mandate": None,
}


async def approved(suite: Suite, issuer: DevIssuer, procedure: str, body: dict[str, Any]) -> UUID:
    """Submit, then decide as a Wurzen clerk: approved (the dog's class: a first dog)."""
    case_id = await submitted(suite, WURZEN, procedure, body, key=str(uuid4()))
    async with desk_client(suite, clerk_token(issuer, WURZEN, "Wenzel Wurzner")) as desk:
        await case_when(desk, case_id, "queued")
        url = f"/api/v1/desk/cases/{case_id}"
        assert (await desk.post(f"{url}/claim")).status_code == 200
        fee = {"rate_class": "erster_hund", "dogs_kept": 1}
        decided = await desk.post(
            f"{url}/decide",
            json={"outcome": "approved"}
            | ({"fee": fee} if procedure == "hundesteuer-anmeldung" else {}),
        )
        assert decided.status_code == 200, decided.text
    return case_id


async def register_when(
    client: httpx.AsyncClient, count: int, deregistered: int = 0
) -> list[dict[str, Any]]:
    for _ in range(300):
        dogs: list[dict[str, Any]] = (await client.get(f"/api/v1/towns/{WURZEN}/dogs")).json()
        ended = [d for d in dogs if d["kept_until"]]
        if len(dogs) >= count and len(ended) >= deregistered:
            return dogs
        await asyncio.sleep(0.1)
    raise AssertionError(f"register: {count} dogs ({deregistered} ended) expected, found {dogs}")


async def test_registered_dogs_are_taxed_once_a_year_one_claim_per_keeper(
    suite: Suite, issuer: DevIssuer, operator_token: str, billing_log: Runtime, smtp: SmtpServer
) -> None:
    bello = await approved(suite, issuer, "hundesteuer-anmeldung", hundesteuer_anmeldung())
    rex = await approved(
        suite,
        issuer,
        "hundesteuer-anmeldung",
        hundesteuer_anmeldung(form__dog__name="Rex", form__dog__chip_number=None),
    )
    hasso = await approved(
        suite,
        issuer,
        "hundesteuer-anmeldung",
        hundesteuer_anmeldung(form__dog__name="Hasso", **OTHER_KEEPER),
    )
    async with as_treasury(suite, issuer, WURZEN, ("treasury",)) as treasury:
        dogs = {d["name"]: d for d in await register_when(treasury, 3)}
        assert {name: (d["dog_id"], d["direct_debit"]) for name, d in dogs.items()} == {
            "Bello": (str(bello), True),
            "Rex": (str(rex), True),
            "Hasso": (str(hasso), False),
        }
        assert sorted(d["tag_number"] for d in dogs.values()) == ["1", "2", "3"]
        assert dogs["Bello"]["keeper_key"] == dogs["Rex"]["keeper_key"]
        assert dogs["Hasso"]["keeper_key"] != dogs["Bello"]["keeper_key"]
        assert "Quirinus" not in str(dogs)  # no person's name in the register

        await approved(
            suite,
            issuer,
            "hundesteuer-abmeldung",
            hundesteuer_abmeldung(form__tag_number=dogs["Rex"]["tag_number"]),
        )
        ended = {d["name"]: d for d in await register_when(treasury, 3, deregistered=1)}
        assert [name for name, d in ended.items() if d["kept_until"]] == ["Rex"]

        year = today().year + 1
        async with httpx.AsyncClient(
            base_url=suite.url("billing"), headers={"authorization": f"Bearer {operator_token}"}
        ) as ops:
            run = await ops.post(f"/ops/v1/billing/dog-tax/{year}")
            assert run.status_code == 200, run.text
            assert (run.json()["assessed"], run.json()["total"]) == (2, "168.00")
            again = await ops.post(f"/ops/v1/billing/dog-tax/{year}")
            assert (again.json()["assessed"], again.json()["total"]) == (0, "0.00")
            assert (await ops.post("/ops/v1/billing/dog-tax/1999")).status_code == 422

        for _ in range(100):
            assessed = [
                e for _, e in await billing_events(billing_log) if isinstance(e, DogTaxAssessed)
            ]
            if len(assessed) >= 2:
                break
            await asyncio.sleep(0.1)
        by_dogs = {tuple(e.dogs): e for e in assessed}
        assert set(by_dogs) == {(bello,), (hasso,)}
        for dog, debit in ((bello, True), (hasso, False)):
            claim = by_dogs[(dog,)]
            assert (claim.year, claim.amount, claim.direct_debit) == (year, Decimal("84.00"), debit)
            assert [(i.due.isoformat(), i.amount) for i in claim.instalments] == [
                (f"{year}-{day}", Decimal("21.00")) for day in ("02-15", "05-15", "08-15", "11-15")
            ]
            assert claim.due_date.isoformat() == f"{year}-02-15"
            assert (claim.produkt, claim.sachkonto) == ("61.1.0.01", "40320000")
            assert (claim.mandate_reference is not None) == debit
            await claim_when(treasury, claim.cash_reference, open="84.00", settled=False)
        await each_keeper_s_notice_is_mailed_once(smtp, billing_log, year, by_dogs[(bello,)])

        # Keeper Bello's first instalment by direct debit: a pain.008 file, made once.
        debited = by_dogs[(bello,)]
        path = f"/api/v1/towns/{WURZEN}/direct-debits/{year}-02-15"
        made = await treasury.post(path)
        assert made.status_code == 200, made.text
        assert made.headers["content-type"] == "application/xml"
        document = etree.fromstring(made.content)
        ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
        [tx] = document.findall(".//p:DrctDbtTxInf", ns)
        texts = {
            tag: tx.findtext(f".//p:{tag}", namespaces=ns)
            for tag in ("InstdAmt", "MndtId", "EndToEndId", "Nm", "IBAN", "Ustrd")
        }
        assert texts == {
            "InstdAmt": "21.00",
            "MndtId": f"HST-{debited.cash_reference}",
            "EndToEndId": debited.cash_reference,
            "Nm": "Hedwig Quirinus-Zwetschgenbaum",
            "IBAN": "DE89370400440532013000",
            "Ustrd": f"Hundesteuer {year} Kassenzeichen {debited.cash_reference}",
        }
        assert document.findtext(".//p:ReqdColltnDt", namespaces=ns) == f"{year}-02-15"
        assert (
            document.findtext(".//p:CdtrSchmeId//p:Othr/p:Id", namespaces=ns)
            == "DE38ZZZ14729410000"
        )
        assert (await treasury.post(path)).content == made.content  # once: the same file
        assert (await treasury.get(path)).content == made.content
        nothing = await treasury.post(f"/api/v1/towns/{WURZEN}/direct-debits/{year}-03-01")
        assert nothing.status_code == 404
        async with as_treasury(suite, issuer, "14522020", ("treasury",)) as other:
            assert (await other.post(path)).status_code == 404

        # The bank credits the collection: booked to the claim by its Kassenzeichen.
        credited = statement(
            entry(
                "21.00",
                f"Hundesteuer {year} Kassenzeichen {debited.cash_reference}",
                reference="L-1",
            ),
            iban=WURZEN_IBAN,
            statement_id=f"{year}-02-15-001",
        )
        imported = await treasury.post("/api/v1/statements", content=credited, headers=XML)
        assert imported.status_code == 200, imported.text
        await claim_when(treasury, debited.cash_reference, open="63.00")


async def each_keeper_s_notice_is_mailed_once(
    smtp: SmtpServer, billing_log: Runtime, year: int, debited: DogTaxAssessed
) -> None:
    """One Hundesteuerbescheid per keeper in the mailbox, its PDF listing the instalments."""
    subject = f"Hundesteuerbescheid {year}"
    pdfs = {}
    for keeper in (APPLICANT, "otto.brause@example.org"):
        mail = await wait_for_mail(smtp, keeper, subject)
        [attachment] = list(mail.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert str(attachment.get_filename()).startswith(f"hundesteuerbescheid-{year}-")
        content = attachment.get_payload(decode=True)
        assert isinstance(content, bytes)
        pdfs[keeper] = content
        text = pdf_text(content)
        for day in ("02-15", "05-15", "08-15", "11-15"):
            due = f"{day[3:]}.{day[:2]}.{year}"
            assert f"fällig am {due} 21,00 €" in text, due
        assert f"Hundesteuerbescheid für das Jahr {year}" in text
        body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert f"Hundesteuer {year}: 84,00 €" in body
    debit_text = pdf_text(pdfs[APPLICANT])
    assert "Hedwig Quirinus-Zwetschgenbaum" in debit_text
    assert f"Mandatsreferenz HST-{debited.cash_reference}" in debit_text
    assert "GiroCode" not in debit_text
    transfer = girocode(pdfs["otto.brause@example.org"])
    assert (transfer[6], transfer[7]) == (WURZEN_IBAN, "EUR21")  # the first instalment
    assert "Otto Brause" in pdf_text(pdfs["otto.brause@example.org"])

    issued = [e for _, e in await billing_events(billing_log) if isinstance(e, DogTaxNoticeIssued)]
    assert len(issued) == 2
    [mine] = [e for e in issued if e.case_id == debited.case_id]
    assert mine.model_dump(exclude={"document", "issued_at", "registration_id"}) == {
        "case_id": debited.case_id,
        "year": year,
        "cash_reference": debited.cash_reference,
        "amount": Decimal("84.00"),
        "currency": "EUR",
        "instalments": [i.model_dump() for i in debited.instalments],
        "direct_debit": True,
        "mandate_reference": f"HST-{debited.cash_reference}",
        "payee": "Stadtkasse Wurzen",
        "iban": WURZEN_IBAN,
        "bic": "WELADE8LXXX",
    }
    assert mine.document.size == len(pdfs[APPLICANT])
    await asyncio.sleep(1.0)  # a second mail would be on its way by now
    for keeper in (APPLICANT, "otto.brause@example.org"):
        assert len(mail_to(smtp, keeper, f"Hundesteuerbescheid {year}")) == 1
