"""The architecture's hard rules, checked on the source: services share only events."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SERVICES = ("intake", "casework", "billing", "archive", "notify")


def imported_modules(package: Path) -> set[tuple[Path, str]]:
    """(file, module) for every import statement below ``package``."""
    found = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {(path, alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((path, node.module))
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_no_service_imports_another(service: str) -> None:
    others = {f"services.{other}" for other in SERVICES if other != service}
    offending = [
        f"{path.relative_to(ROOT)}: {module}"
        for path, module in imported_modules(ROOT / "services" / service)
        if any(module == o or module.startswith(f"{o}.") for o in others)
    ]
    assert offending == []


@pytest.mark.parametrize("package", ["runtime", "contracts"])
def test_the_shared_packages_know_no_service(package: str) -> None:
    offending = [
        f"{path.relative_to(ROOT)}: {module}"
        for path, module in imported_modules(ROOT / package)
        if module == "services" or module.startswith("services.")
    ]
    assert offending == []


def test_the_check_sees_imports() -> None:
    """Guards the guard: the scan does find the services' use of the shared packages."""
    modules = {module for _, module in imported_modules(ROOT / "services" / "intake")}
    assert "runtime.service" in modules
    assert any(module.startswith("services.intake") for module in modules)
