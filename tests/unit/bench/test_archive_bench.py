"""The archive benchmark's quick variant runs its in-process part (the xdomea export) and
writes the result's shape; the export it measures is a valid 0503 with every document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.archive import main


def test_the_quick_export_writes_its_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "archive.json"

    assert main(["--quick", "--only", "xdomea", "--out", str(out)]) == 0

    result = json.loads(out.read_text(encoding="utf-8"))
    assert {"when", "machine", "settings", "xdomea"} <= set(result)
    export = result["xdomea"]
    assert export["files"] == 50
    assert export["documents"] == 100  # each file's history and letter, all in the package
    assert export["package_mb"] > 0
    assert "xdomea export of 50 files" in capsys.readouterr().out
