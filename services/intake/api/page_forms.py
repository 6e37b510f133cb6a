"""What the applicant can do on the status page, as plain HTML forms (pure).

No JavaScript: each step is a form posted to intake (``form-action 'self'``), its address
carrying the tracking token that authenticates it — there is no cookie, so a foreign page
cannot act in the applicant's name. A form sent back with mistakes says at the top what is
wrong, with links to the fields, and at each field what to correct (WCAG 3.3.1, 3.3.3); the
text typed stays, and a hidden ``schluessel`` makes a double click one step, not two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from urllib.parse import quote
from uuid import UUID

from services.intake.api.schemas import ApplicationStatus, DecisionInfo, OpenRequest
from services.intake.attachments import size_in_words
from services.intake.domain.tracking import german_day

FILES_HINT = "PDF, JPEG oder PNG. Sie können mehrere Dateien auswählen."
DONE = {
    "antwort": "Ihre Antwort ist eingegangen. Die Sachbearbeitung wird sie prüfen.",
    "ruecknahme": "Ihre Rücknahme ist eingegangen. Der Vorgang wird eingestellt.",
    "widerspruch": "Ihr Widerspruch ist eingegangen.",
}
"""What the status page says after a step, by the step's name in its address."""


@dataclass(frozen=True)
class FormState:
    """A form sent back: which one, what is wrong (field id → German message; ``""``: the
    form as a whole), what was typed, the key to send again with, and the HTTP status."""

    form: str
    errors: dict[str, str] = field(default_factory=dict)
    text: str = ""
    key: str = ""
    status: int = 422
    """422: the input is wrong; 409: the case's state forbids the step."""


def token_query(token: str) -> str:
    """``?token=…``, quoted so that it stays inside an attribute."""
    return f"?token={escape(quote(token, safe=''))}"


def action(status: ApplicationStatus, token: str, path: str) -> str:
    """A step's address on the page: ``/antraege/{id}/{path}?token=…``."""
    return f"/antraege/{status.application_id}/{path}{token_query(token)}"


def answer_form_id(request_id: UUID) -> str:
    """The id of the form answering ``request_id`` (its fields' ids start with it)."""
    return f"antwort-{request_id}"


def error_summary(state: FormState | None) -> str:
    """The list of what is wrong, first in ``main``, each linking to its field."""
    if state is None or not state.errors:
        return ""
    items = "".join(
        f'<li><a href="#{escape(field_id)}">{escape(message)}</a></li>'
        if field_id
        else f"<li>{escape(message)}</li>"
        for field_id, message in state.errors.items()
    )
    return (
        '<div class="fehlerliste" role="alert" aria-labelledby="fehler-titel" tabindex="-1">'
        '<h2 id="fehler-titel">Bitte prüfen Sie Ihre Angaben</h2>'
        f"<ul>{items}</ul></div>"
    )


def _textarea(
    field_id: str, name: str, label: str, state: FormState | None, *, required: bool
) -> str:
    mine = state.errors.get(field_id) if state else None
    error = (
        f'<p class="fehler" id="{field_id}-fehler"><span class="sr">Fehler: </span>'
        f"{escape(mine)}</p>"
        if mine
        else ""
    )
    described = f' aria-describedby="{field_id}-fehler" aria-invalid="true"' if mine else ""
    mark = " (Pflichtangabe)" if required else " (freiwillig)"
    text = escape(state.text) if state else ""
    return (
        f'<div class="feld"><label for="{field_id}">{escape(label)}{mark}</label>{error}'
        f'<textarea id="{field_id}" name="{name}" rows="6"'
        f"{' required' if required else ''}{described}>{text}</textarea></div>"
    )


def _files(field_id: str, state: FormState | None) -> str:
    mine = state.errors.get(field_id) if state else None
    error = (
        f'<p class="fehler" id="{field_id}-fehler"><span class="sr">Fehler: </span>'
        f"{escape(mine)}</p>"
        if mine
        else ""
    )
    described = f"{field_id}-hinweis" + (f" {field_id}-fehler" if mine else "")
    invalid = ' aria-invalid="true"' if mine else ""
    return (
        f'<div class="feld"><label for="{field_id}">Unterlagen (freiwillig)</label>'
        f'<p class="hinweis" id="{field_id}-hinweis">{FILES_HINT}</p>{error}'
        f'<input type="file" id="{field_id}" name="dateien" multiple'
        f' accept="application/pdf,image/jpeg,image/png" aria-describedby="{described}"'
        f"{invalid}></div>"
    )


def _key(state: FormState | None, key: str) -> str:
    return f'<input type="hidden" name="schluessel" value="{escape(state.key if state else key)}">'


def requests_html(status: ApplicationStatus, token: str, state: FormState | None, key: str) -> str:
    """A section per open request: the question, its due date, and the form to answer it."""
    return "".join(_request(status, token, r, state, key) for r in status.open_requests)


def _request(
    status: ApplicationStatus,
    token: str,
    request: OpenRequest,
    state: FormState | None,
    key: str,
) -> str:
    form_id = answer_form_id(request.request_id)
    mine = state if state and state.form == form_id else None
    question = (
        f'<blockquote class="frage">{escape(request.question)}</blockquote>'
        if request.question
        else "<p>Die Frage kann nicht mehr angezeigt werden (die Daten sind gelöscht).</p>"
    )
    return (
        f'<section class="aufgabe" aria-labelledby="{form_id}-titel">'
        f'<h2 id="{form_id}-titel">Rückfrage zu Ihrem {_what(status)}</h2>'
        f"<p>Bitte antworten Sie bis zum <strong>{german_day(request.due)}</strong>.</p>"
        f"{question}"
        f'<form method="post" enctype="multipart/form-data" novalidate'
        f' action="{action(status, token, f"rueckfragen/{request.request_id}")}">'
        f"{_key(mine, key)}"
        f"{_textarea(f'{form_id}-text', 'antwort', 'Ihre Antwort', mine, required=True)}"
        f"{_files(f'{form_id}-dateien', mine)}"
        '<button type="submit">Antwort senden</button></form></section>'
    )


def decision_html(status: ApplicationStatus, token: str, state: FormState | None, key: str) -> str:
    """The decision: what it says, the letter to download, Bekanntgabe, the objection."""
    decision = status.decision
    if decision is None:
        return ""
    parts = [_outcome(status, decision)]
    if decision.document is not None:
        document = decision.document
        kind = "PDF" if document.content_type == "application/pdf" else "Datei"
        parts.append(
            f'<p><a href="{action(status, token, "bescheid")}">Bescheid herunterladen</a>'
            f" ({kind}, {size_in_words(max(document.size, 1024))})</p>"
        )
    parts.append(_known(status, decision))
    parts.append(_objection(status, token, state, key))
    return (
        '<section aria-labelledby="bescheid-titel"><h2 id="bescheid-titel">Bescheid</h2>'
        f"{''.join(parts)}</section>"
    )


def _outcome(status: ApplicationStatus, decision: DecisionInfo) -> str:
    if status.kind == "objection":
        said = (
            "Ihrem Widerspruch wurde abgeholfen."
            if decision.outcome == "approved"
            else "Ihr Widerspruch wurde zurückgewiesen."
        )
    else:
        said = (
            "Ihrem Antrag wurde stattgegeben."
            if decision.outcome == "approved"
            else "Ihr Antrag wurde abgelehnt."
        )
    return f"<p>{said}</p>"


def _known(status: ApplicationStatus, decision: DecisionInfo) -> str:
    if decision.known_on is None:
        return (
            "<p>Der Bescheid wird Ihnen zugestellt. Sobald er versandt ist, steht hier, wann "
            "er als bekannt gegeben gilt und bis wann Sie Widerspruch einlegen können.</p>"
        )
    day = german_day(decision.known_on)
    known = f"Der Bescheid gilt am <strong>{day}</strong> als bekannt gegeben."
    if decision.objection_until is None:
        return f"<p>{known}</p>"
    return (
        f"<p>{known} Widerspruch können Sie bis zum "
        f"<strong>{german_day(decision.objection_until)}</strong> einlegen.</p>"
    )


def _objection(status: ApplicationStatus, token: str, state: FormState | None, key: str) -> str:
    if status.objection is not None:
        lodged = status.objection
        number = f" (Vorgangsnummer {escape(lodged.case_number)})" if lodged.case_number else ""
        return (
            f"<p>Sie haben Widerspruch eingelegt{number}. "
            f'<a href="{escape(lodged.status_page_url)}">Stand Ihres Widerspruchs</a></p>'
        )
    if status.objection_url is None:
        return ""
    mine = state if state and state.form == "widerspruch" else None
    return (
        '<h3 id="widerspruch-titel">Widerspruch einlegen</h3>'
        "<p>Wenn Sie mit dem Bescheid nicht einverstanden sind, können Sie hier Widerspruch "
        "einlegen. Eine Begründung ist nicht vorgeschrieben, hilft aber bei der Prüfung. "
        "Ihr Widerspruch erhält eine eigene Vorgangsnummer.</p>"
        '<form method="post" enctype="multipart/form-data" novalidate'
        ' aria-labelledby="widerspruch-titel"'
        f' action="{action(status, token, "widerspruch")}">'
        f"{_key(mine, key)}"
        f"{_textarea('widerspruch-text', 'begruendung', 'Begründung', mine, required=False)}"
        f"{_files('widerspruch-dateien', mine)}"
        '<button type="submit">Widerspruch einlegen</button></form>'
    )


def withdraw_html(status: ApplicationStatus, token: str) -> str:
    """The way to withdraw, while the case is undecided: a link to a page that asks first."""
    if status.withdraw_url is None:
        return ""
    what = _what(status)
    return (
        '<section aria-labelledby="ruecknahme-titel">'
        f'<h2 id="ruecknahme-titel">{what} zurücknehmen</h2>'
        f"<p>Solange nicht entschieden ist, können Sie Ihren {what} zurücknehmen. "
        "Der Vorgang wird dann eingestellt.</p>"
        f'<p><a href="{action(status, token, "ruecknahme")}">{what} zurücknehmen …</a></p>'
        "</section>"
    )


def withdraw_confirmation_html(status: ApplicationStatus, token: str, key: str) -> str:
    """The page that asks before a withdrawal: what it means, yes, or back."""
    what = _what(status)
    number = status.case_number or str(status.application_id)
    return (
        f"<h1>{what} zurücknehmen?</h1>"
        f"<p>Sie nehmen Ihren {what} <strong>{escape(number)}</strong> "
        f"({escape(status.procedure_title)}) zurück. Über ihn wird dann nicht mehr entschieden; "
        "der Vorgang wird eingestellt. Das lässt sich nicht rückgängig machen – Sie können "
        "aber jederzeit einen neuen Antrag stellen.</p>"
        f'<form method="post" action="{action(status, token, "ruecknahme")}">'
        f'<input type="hidden" name="schluessel" value="{escape(key)}">'
        f'<button type="submit">Ja, {what} zurücknehmen</button></form>'
        f'<p><a href="/antraege/{status.application_id}{token_query(token)}">'
        "Nein, zurück zum Stand</a></p>"
    )


def _what(status: ApplicationStatus) -> str:
    return "Widerspruch" if status.kind == "objection" else "Antrag"
