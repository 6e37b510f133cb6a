"""The disposal's xdomea messages: valid against the xdomea 3.0.0 schema, shaped like the
official examples, and the archive's answers read back — or refused with the reason."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.archive.disposal import schema_dir
from services.archive.domain import xdomea

SCHEMA = xdomea.Schema(schema_dir())
EXAMPLES = schema_dir().parents[1] / "examples"
TOWN = xdomea.Party("14729410", "Große Kreisstadt Wurzen")
ARCHIVE = xdomea.Party("StA-SN", "Sächsisches Staatsarchiv")
AT = datetime(2037, 3, 2, 10, 0, tzinfo=UTC)
PROCESS = UUID("242f44e8-bebf-4503-a086-db252c6a4277")  # the official examples' process

LETTER = xdomea.Document(
    uuid4(), "Bescheid", "bescheid.pdf", "application/pdf", b"%PDF-1.7", date(2026, 11, 20)
)
FILE = xdomea.OfferedFile(
    id=uuid4(),
    reference="32.10.01/2026/0001",
    plan_position="32.10.01",
    subject="Gewerbeanmeldung",
    began=date(2026, 11, 2),
    ended=date(2026, 11, 20),
    documents=(LETTER,),
)


def local_names(element: Any) -> list[str]:
    return [child.tag.split("}")[-1] for child in element if isinstance(child.tag, str)]


def test_the_offer_is_schema_valid_and_shaped_like_the_official_example() -> None:
    root = SCHEMA.check(xdomea.offer(PROCESS, TOWN, ARCHIVE, [FILE], AT), xdomea.OFFER)
    sample = xdomea.parse((EXAMPLES / "xx_Aussonderung.Anbieteverzeichnis.0501.xml").read_bytes())
    ours, theirs = root.find(f".//{{{xdomea.NS}}}Akte"), sample.find(f".//{{{xdomea.NS}}}Akte")
    names, sample_names = local_names(ours), local_names(theirs)
    # Our file's elements, in the example's order (the example has more optional ones).
    assert [n for n in sample_names if n in names] == names
    assert names[:2] == ["Identifikation", "AllgemeineMetadaten"]
    assert xdomea.offered_ids(root) == [FILE.id]
    assert "Akteninhalt" not in names  # an offer names files, not their documents


def test_the_handover_package_holds_a_valid_0503_and_every_document_it_names() -> None:
    package = xdomea.handover(PROCESS, TOWN, ARCHIVE, [FILE], AT)
    message, documents = xdomea.handover_message(package)
    root = SCHEMA.check(message, xdomea.HANDOVER)
    named = root.xpath("//x:Primaerdokument/x:Dateiname/text()", namespaces={"x": xdomea.NS})
    assert named == [f"{LETTER.id}_bescheid.pdf"]
    assert documents == {named[0]: b"%PDF-1.7"}
    [code] = root.xpath("//x:Format/x:Name/code/text()", namespaces={"x": xdomea.NS})
    assert code == "018"  # pdf in the code list dateiformat


def test_the_official_appraisal_example_is_read_back() -> None:
    root = SCHEMA.check(
        (EXAMPLES / "xx_Aussonderung.Bewertungsverzeichnis.0502.xml").read_bytes(),
        xdomea.APPRAISAL,
    )
    assert xdomea.appraisal(root, PROCESS) == {UUID("cbdbfccc-72e5-44b2-9e71-937e6f4f8ce9"): "A"}
    with pytest.raises(xdomea.XdomeaError, match="belongs to process"):
        xdomea.appraisal(root, uuid4())


def test_the_archive_s_answers_round_trip() -> None:
    kept, dropped = uuid4(), uuid4()
    verdicts = {kept: "A", dropped: "V"}
    appraisal = xdomea.answer(xdomea.APPRAISAL, PROCESS, ARCHIVE, TOWN, AT, verdicts)
    assert xdomea.appraisal(SCHEMA.check(appraisal, xdomea.APPRAISAL), PROCESS) == verdicts
    confirmation = xdomea.answer(
        xdomea.IMPORT_CONFIRMATION, PROCESS, ARCHIVE, TOWN, AT, {kept: True, dropped: False}
    )
    root = SCHEMA.check(confirmation, xdomea.IMPORT_CONFIRMATION)
    assert xdomea.imported(root, PROCESS) == {kept: True, dropped: False}
    receipt = xdomea.answer(xdomea.OFFER_RECEIPT, PROCESS, ARCHIVE, TOWN, AT)
    assert xdomea.process_of(SCHEMA.check(receipt, xdomea.OFFER_RECEIPT)) == PROCESS


def test_a_message_of_another_type_or_off_the_schema_is_refused() -> None:
    receipt = xdomea.answer(xdomea.OFFER_RECEIPT, PROCESS, ARCHIVE, TOWN, AT)
    with pytest.raises(xdomea.XdomeaError, match=r"expected Aussonderung\.Bewertungsverzeichnis"):
        SCHEMA.check(receipt, xdomea.APPRAISAL)
    broken = receipt.replace(str(PROCESS).encode(), b"not-a-uuid")
    with pytest.raises(xdomea.XdomeaError, match="not schema-valid"):
        SCHEMA.check(broken, xdomea.OFFER_RECEIPT)
    with pytest.raises(xdomea.XdomeaError, match="not well-formed"):
        SCHEMA.check(b"<xdomea:", xdomea.OFFER_RECEIPT)


def test_an_answer_with_entities_never_expands_them(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("geheim")
    hostile = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'
        f'<xdomea:Aussonderung.Bewertungsverzeichnis.0502 xmlns:xdomea="{xdomea.NS}">'
        "<xdomea:Kopf><xdomea:ProzessID>&e;</xdomea:ProzessID></xdomea:Kopf>"
        "</xdomea:Aussonderung.Bewertungsverzeichnis.0502>"
    ).encode()
    with pytest.raises(xdomea.XdomeaError, match="DOCTYPE") as refused:
        SCHEMA.check(hostile, xdomea.APPRAISAL)
    assert "geheim" not in str(refused.value)


def test_an_appraisal_other_than_keep_or_destroy_is_refused() -> None:
    answer = xdomea.answer(xdomea.APPRAISAL, PROCESS, ARCHIVE, TOWN, AT, {uuid4(): "B"})
    with pytest.raises(xdomea.XdomeaError, match="not A or V"):
        xdomea.appraisal(SCHEMA.check(answer, xdomea.APPRAISAL), PROCESS)
