"""Every job a service hands its worker by name names a function that exists."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import pytest

import services
from runtime.worker import Job


def jobs() -> Iterator[tuple[str, Job[object, object]]]:
    for module in pkgutil.walk_packages(services.__path__, "services."):
        if ".projections." not in module.name and not module.name.endswith("receiving"):
            continue
        for name, value in vars(importlib.import_module(module.name)).items():
            if isinstance(value, Job):
                yield f"{module.name}.{name}", value


def test_the_services_hand_their_documents_to_the_worker() -> None:
    assert {name.rsplit(".", 2)[-2] for name, _ in jobs()} >= {
        "fee_notices",
        "amended_notices",
        "dog_tax_notices",
        "decision_letters",
    }


@pytest.mark.parametrize(("name", "job"), list(jobs()))
def test_a_job_names_a_function_that_exists(name: str, job: Job[object, object]) -> None:
    module, _, function = job.target.partition(":")
    assert callable(getattr(importlib.import_module(module), function)), name
