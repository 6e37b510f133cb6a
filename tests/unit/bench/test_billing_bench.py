"""The billing benchmark's quick variant runs its in-process parts and writes the result's
shape: the shared header and each part's figures (not their values: timings vary)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped,unused-ignore]

import bench.billing
from bench.billing import BT_1, WURZEN_LEITWEG, derived_invoices, keepers_of, main, planned_entries
from services.billing.einvoices.check import check_invoice

PARTS = {
    "notices": {
        "notices",
        "seconds",
        "notices_per_second",
        "cpu_ms_per_notice",
        "per_notice",
        "pdf_kb_mean",
        "peak_rss_mb",
    },
    "camt": {
        "entries",
        "claims",
        "file_mb",
        "parse_seconds",
        "reconcile_seconds",
        "seconds",
        "matches_per_second",
        "bookings",
        "bookings_by_match",
        "clarifications",
        "peak_rss_mb",
    },
    "dogtax": {
        "year",
        "dogs",
        "keepers",
        "seconds",
        "keepers_per_second",
        "dogs_per_second",
        "per_keeper",
        "total_tax_eur",
        "instalments",
        "peak_rss_mb",
    },
}


def test_the_quick_variant_writes_every_part_s_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "billing.json"

    assert main(["--quick", "--only", "notices,camt,dogtax", "--out", str(out)]) == 0

    result = json.loads(out.read_text(encoding="utf-8"))
    assert {"benchmark", "when", "machine", "durability", "settings"} <= set(result)
    assert {"cpus", "python", "memory_gb"} <= set(result["machine"])
    for part, figures in PARTS.items():
        assert figures <= set(result[part]), part
    assert set(result["other_work_share"]) == {"notices", "camt", "dogtax"}
    assert "camt_service" not in result

    notices, camt, dogs = result["notices"], result["camt"], result["dogtax"]
    assert notices["notices"] == bench.billing.QUICK["notices"]
    assert {"p50_ms", "p99_ms"} <= set(notices["per_notice"])
    assert notices["pdf_kb_mean"] > 0
    entries = bench.billing.QUICK["entries"]
    assert (camt["entries"], camt["claims"]) == (entries, entries)
    assert camt["bookings"] == entries * 98 // 100  # the mix: 98 % book …
    assert camt["clarifications"] == entries * 4 // 100  # … 4 % raise an item
    assert camt["bookings_by_match"] == {
        "kassenzeichen": entries * 96 // 100,
        "amount": entries * 2 // 100,
    }
    assert dogs["dogs"] == bench.billing.QUICK["dogs"]
    assert dogs["keepers"] < dogs["dogs"]
    assert Decimal(dogs["total_tax_eur"]) > 0
    assert {"p50_us", "p99_us"} <= set(dogs["per_keeper"])
    printed = capsys.readouterr().out
    assert "fee notices (PDF/A-3b with GiroCode)" in printed
    assert "dog tax 2026" in printed


def test_the_einvoices_part_checks_the_86_official_invoices(tmp_path: Path) -> None:
    out = tmp_path / "billing.json"

    assert main(["--quick", "--only", "einvoices", "--out", str(out)]) == 0

    figures = json.loads(out.read_text(encoding="utf-8"))["einvoices"]
    assert (figures["ubl"]["invoices"], figures["cii"]["invoices"]) == (45, 41)
    assert (figures["ubl"]["accepted"], figures["cii"]["accepted"]) == (43, 39)  # see README
    assert figures["all"]["checks"] == 86
    assert {"p50_ms", "p99_ms"} <= set(figures["ubl"]["per_invoice"])
    assert figures["peak_rss_mb"] > 0


def test_the_keepers_hold_exactly_the_dogs_asked_for() -> None:
    keepers = keepers_of(1000, 2026, seed=1)
    assert sum(len(kept) for kept in keepers) == 1000
    assert {len(kept) for kept in keepers} <= {1, 2, 3}


def test_every_planned_claim_has_its_own_kassenzeichen_and_amount_matches_are_unique() -> None:
    planned = planned_entries(10_000)
    assert len({p.n for p in planned}) == 10_000
    by_amount = [p.claim_amount for p in planned if p.kind == "by_amount"]
    others = {p.claim_amount for p in planned if p.kind != "by_amount"}
    assert len(set(by_amount)) == len(by_amount)
    assert not set(by_amount) & others


def test_an_unknown_part_is_refused() -> None:
    with pytest.raises(SystemExit):
        main(["--only", "notices,printing"])


def test_the_derived_invoices_are_wurzen_s_each_with_a_number_of_its_own() -> None:
    invoices = derived_invoices(100)

    assert len(invoices) == 100
    numbers = set()
    for content in invoices:
        root = etree.fromstring(content)
        reference = root.xpath("//*[local-name()='BuyerReference']/text()")
        assert reference == [WURZEN_LEITWEG]
        [number] = root.xpath(BT_1)
        numbers.add(number.text)
    assert len(numbers) == 100
    assert all(check_invoice(content).accepted for content in (invoices[0], invoices[-1]))
