"""Invalid variants of a valid test invoice, one change each, made with lxml in the test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped,unused-ignore]

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
}
Change = Callable[[Any], None]


def one(root: Any, xpath: str) -> Any:
    found = root.xpath(xpath, namespaces=NS)
    assert len(found) >= 1, xpath
    return found[0]


def removed(xpath: str) -> Change:
    def change(root: Any) -> None:
        element = one(root, xpath)
        element.getparent().remove(element)

    return change


def set_to(xpath: str, value: str) -> Change:
    def change(root: Any) -> None:
        one(root, xpath).text = value

    return change


def unknown_element_after(xpath: str, namespace: str) -> Change:
    def change(root: Any) -> None:
        one(root, xpath).addnext(etree.Element(f"{{{namespace}}}Unbekannt"))

    return change


def variant(path: Path, change: Change) -> bytes:
    """The file with one change."""
    root = etree.fromstring(path.read_bytes())
    change(root)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
