"""intake's body limit for an application: as large as its attachments allow, no larger."""

from __future__ import annotations

import base64
import json

from services.intake.settings import IntakeSettings


def test_an_application_with_every_attachment_at_its_limit_fits() -> None:
    settings = IntakeSettings(
        environment="test", max_attachments=3, max_attachment_bytes=1024 * 1024 + 1
    )
    attachment = {
        "filename": "\u00e4" * 255,  # escaped in JSON: six bytes a character
        "content_type": "\u00e4" * 100,
        "content_base64": base64.b64encode(b"%" * settings.max_attachment_bytes).decode(),
    }
    form = {"activity": "x" * (settings.max_form_bytes - 100)}
    body = json.dumps({"form": form, "attachments": [attachment] * 3}, indent=2)
    assert len(body.encode()) <= settings.max_application_bytes


def test_the_limit_is_the_attachments_not_twenty_megabytes_for_every_route() -> None:
    settings = IntakeSettings(
        environment="test", max_attachments=5, max_attachment_bytes=5 * 1024 * 1024
    )
    assert 5 * 5 * 1024 * 1024 * 4 // 3 < settings.max_application_bytes < 34 * 1024 * 1024
    assert (
        IntakeSettings(environment="test", max_attachments=0).max_application_bytes
        == settings.max_form_bytes
    )
