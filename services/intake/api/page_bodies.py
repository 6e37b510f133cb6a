"""The status page's forms as intake receives them: who sent them, what they hold, where
their files go (``page_actions`` decides what to answer)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from python_multipart.exceptions import MultipartParseError
from starlette.requests import Request

from contracts.events.intake import AttachmentRef
from runtime.datakeys import KeyErased
from runtime.ids import new_id
from runtime.service import Runtime
from services.intake import applicant_commands, queries
from services.intake.api.page_forms import FormState
from services.intake.api.schemas import ApplicationStatus
from services.intake.domain.applicant_actions import CaseView, Refused, text_must_fit
from services.intake.form_uploads import FormBody, receive_form
from services.intake.uploads import UploadRefused

CHOOSE_AGAIN = " Bitte wählen Sie die Dateien erneut aus."


class Tracked:
    """A case reached through its tracking link: the read model's answer, and its view."""

    def __init__(self, found: dict[str, Any], status: ApplicationStatus, token: str) -> None:
        self.found = found
        self.status = status
        self.token = token
        self.case: CaseView = queries.case_view_of(found)

    @property
    def tenant(self) -> str:
        """The town whose stream holds the application."""
        tenant: str = self.found["tenant"]
        return tenant

    @property
    def here(self) -> str:
        """The status page's path."""
        return f"/antraege/{self.status.application_id}"


async def read_form(
    runtime: Runtime, at: Tracked, request: Request, form: str, text_field: str
) -> tuple[FormBody, FormState | None]:
    """The form's body, or the state to show it again with (mistakes, or a refusal)."""
    rule = applicant_commands.follow_up_rule(at.case.procedure)
    files_id, text_id = f"{form}-dateien", f"{form}-text"
    try:
        key = await runtime.keys.create(str(at.case.application_id))
    except KeyErased:
        return FormBody(), FormState(form, {"": applicant_commands.ERASED.message}, status=409)
    try:
        body, refusals = await receive_form(
            request, rule, key, "dateien", lambda: f"{at.case.application_id}/{new_id()}"
        )
    except UploadRefused as refused:
        return FormBody(), FormState(form, {files_id: refused.message + CHOOSE_AGAIN})
    except MultipartParseError:
        message = "Das Formular ist unvollständig angekommen. Bitte senden Sie es erneut."
        return FormBody(), FormState(form, {"": message})
    text, key_text = body.fields.get(text_field, ""), body.fields.get("schluessel", "")
    errors: dict[str, str] = {}
    try:
        text_must_fit(text, "", required=text_field == "antwort")
    except Refused as refusal:
        errors[text_id] = refusal.message
    if refusals:
        errors[files_id] = " ".join(refusals) + CHOOSE_AGAIN
    if errors:
        body.close()
        return FormBody(), FormState(form, errors, text, form_key(key_text))
    return body, None


async def store_files(
    runtime: Runtime, at: Tracked, key: str, body: FormBody
) -> list[AttachmentRef]:
    """Every file of the form, into the object store, grouped under the step's key."""
    group = applicant_commands.upload_group(at.case.case_id, key)
    stored = []
    for name, received in body.files:
        attachment_id = UUID(name.rsplit("/", 1)[1])
        stored.append(
            await applicant_commands.keep_upload(
                runtime, at.tenant, at.case, group, attachment_id, received
            )
        )
    body.files.clear()
    return stored


def hashes(body: FormBody) -> list[str]:
    return [received.sha256 for _, received in body.files]


def form_key(sent: str) -> str:
    """The form's Idempotency-Key, or a new one for a form that lost it."""
    sent = sent.strip()
    return sent if 0 < len(sent) <= 200 else str(new_id())
