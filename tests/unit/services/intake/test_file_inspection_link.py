"""What intake gives archive for the applicant's file inspection: the token's digest in the
submission, and a link from the tracking page to the filed case."""

from __future__ import annotations

import hashlib

from contracts.events.intake import ApplicationSubmitted
from services.intake.api.pages import file_inspection_url, status_page_html
from services.intake.commands import tracking_digest, tracking_token
from services.intake.domain.application import decide_submission
from services.intake.settings import IntakeSettings
from tests.unit.services.intake.test_application import APPLICATION_ID, submit
from tests.unit.services.intake.test_pages import APPLICATION, TOKEN, status

ARCHIVE = "https://akte.rathauscloud.example"


def test_the_submission_carries_the_token_s_digest_and_not_the_token() -> None:
    digest = tracking_digest("secret", APPLICATION_ID)
    command = submit()
    command = type(command)(**{**vars(command), "tracking_digest": digest})

    [event] = decide_submission([], command)

    assert isinstance(event, ApplicationSubmitted)
    token = tracking_token("secret", APPLICATION_ID)
    assert event.tracking_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in event.model_dump_json()
    assert "tracking_digest" not in ApplicationSubmitted.personal_fields()


def test_a_submission_of_before_reads_without_a_digest() -> None:
    stored = submit()
    [event] = decide_submission([], stored)
    assert isinstance(event, ApplicationSubmitted)
    old = ApplicationSubmitted.model_validate(event.model_dump(exclude={"tracking_digest"}))
    assert old.tracking_digest is None


def settings(archive: str = ARCHIVE) -> IntakeSettings:
    return IntakeSettings(environment="test", archive_public_url=archive)


def test_a_filed_case_links_to_its_file_with_the_same_token() -> None:
    filed = status(status="filed", status_label="Zur E-Akte genommen")

    url = file_inspection_url(settings(ARCHIVE + "/"), filed, TOKEN)

    assert url == f"{ARCHIVE}/akte/{APPLICATION}?token={TOKEN}"
    page = status_page_html(filed, TOKEN, file_url=url)
    assert f'<a href="{url}">Akte einsehen</a>' in page
    assert '<h2 id="akte">Ihre Akte</h2>' in page


def test_no_link_before_filing_or_without_archive_s_address() -> None:
    assert file_inspection_url(settings(), status(), TOKEN) == ""
    assert file_inspection_url(settings(""), status(status="filed"), TOKEN) == ""
    assert "Akte einsehen" not in status_page_html(status(), TOKEN)
