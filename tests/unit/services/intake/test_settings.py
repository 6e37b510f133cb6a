"""intake's body limit for an application: its form and the ids of its files, no more."""

from __future__ import annotations

import json
import uuid

from services.intake.settings import IntakeSettings


def test_an_application_with_a_full_form_and_twenty_files_fits() -> None:
    settings = IntakeSettings(environment="test")
    form = {"activity": "x" * (settings.max_form_bytes - 100)}
    body = json.dumps({"form": form, "attachments": [str(uuid.uuid4()) for _ in range(20)]})
    assert len(body.encode()) <= settings.max_application_bytes


def test_the_limit_is_the_form_not_twenty_megabytes_for_every_route() -> None:
    settings = IntakeSettings(environment="test")
    assert settings.max_application_bytes < 100 * 1024
