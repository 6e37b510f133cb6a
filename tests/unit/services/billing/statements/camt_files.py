"""camt.053 files made for tests: a statement around entries, and entries of every kind."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

SAMPLES = Path(__file__).parent / "samples"
WURZEN_ACCOUNT = "DE27860555921090123456"
AUGUSTUSBURG_ACCOUNT = "DE56870540003600012345"
CAMT053_V02 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def sample(name: str) -> bytes:
    """A sample file's bytes."""
    return (SAMPLES / name).read_bytes()


def entry(
    amount: str = "26.00",
    remittance: str = "KASSENZEICHEN 14729410-2026-000123",
    *,
    reference: str | None = "REF-1",
    currency: str = "EUR",
    direction: str = "CRDT",
    booked_on: str = "2026-11-20",
    status: str = "BOOK",
) -> str:
    """One ``Ntry`` of camt.053.001.02 with one transaction."""
    servicer_reference = f"<AcctSvcrRef>{escape(reference)}</AcctSvcrRef>" if reference else ""
    return f"""
      <Ntry>
        <Amt Ccy="{currency}">{escape(amount)}</Amt>
        <CdtDbtInd>{direction}</CdtDbtInd>
        <Sts>{status}</Sts>
        <BookgDt><Dt>{booked_on}</Dt></BookgDt>
        <ValDt><Dt>{booked_on}</Dt></ValDt>
        {servicer_reference}
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <RltdPties>
            <Dbtr><Nm>MUSTERMANN, MAX</Nm></Dbtr>
            <DbtrAcct><Id><IBAN>DE75120300001020304050</IBAN></Id></DbtrAcct>
          </RltdPties>
          <RmtInf><Ustrd>{escape(remittance)}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>"""


def account_statement(
    *entries: str, statement_id: str = "0226-11-20-00215", iban: str = WURZEN_ACCOUNT
) -> str:
    """One ``Stmt`` of ``entries``."""
    return f"""
    <Stmt>
      <Id>{statement_id}</Id>
      <CreDtTm>2026-11-21T06:15:12+01:00</CreDtTm>
      <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      {"".join(entries)}
    </Stmt>"""


def document(*statements: str, namespace: str = CAMT053_V02, message_id: str = "MSG-1") -> bytes:
    """A camt.053 document of ``statements``."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{namespace}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-11-21T06:15:12+01:00</CreDtTm></GrpHdr>
    {"".join(statements)}
  </BkToCstmrStmt>
</Document>
""".encode()


def statement(
    *entries: str,
    namespace: str = CAMT053_V02,
    statement_id: str = "0226-11-20-00215",
    iban: str = WURZEN_ACCOUNT,
) -> bytes:
    """A camt.053 document with one statement of ``entries``."""
    part = account_statement(*entries, statement_id=statement_id, iban=iban)
    return document(part, namespace=namespace)


def large_statement(count: int, town: str = "14729410") -> bytes:
    """A statement of ``count`` credits, each paying the claim ``<town>-2026-<n>`` in full."""
    entries = (
        entry(
            large_claims_amount(n),
            f"KASSENZEICHEN {town}-2026-{n:06d} GEBUEHR",
            reference=f"2026112000{n:08d}",
        )
        for n in range(1, count + 1)
    )
    return statement(*entries)


def large_claims_amount(n: int) -> str:
    """The amount ``large_statement`` pays on its ``n``-th claim."""
    return f"{26 + n % 50}.{n % 100:02d}"
