"""The case's messages at the desk: notify's delivery events as the clerk reads them."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from contracts.events.notify import (
    MessageBounced,
    MessageDeferred,
    MessageDelivered,
    MessageDeliveryFailed,
)
from services.casework.api.schemas import MessageOut
from services.casework.case_view import MessageView
from services.casework.projections.case_messages import outcome
from tests.unit.services.casework.pages.test_case_template import LIFE, person, render, view_of

MESSAGE = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f99")
CASE = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
COMMON = {"message_id": MESSAGE, "case_id": CASE, "template": "acknowledgement"}


def test_each_delivery_event_is_a_status_with_what_it_says() -> None:
    delivered = MessageDelivered(
        **COMMON, channel="email", recipient="hq@example.org", attempts=1, delivered_at=AT
    )
    assert outcome(delivered) == ("delivered", "hq@example.org", None, AT)
    retrying = MessageDeliveryFailed(
        **COMMON, attempts=2, error="x", final=False, next_attempt_at=AT, failed_at=AT
    )
    assert outcome(retrying) == ("deferred", None, "Versuch 2 fehlgeschlagen", AT)
    given_up = MessageDeliveryFailed(
        **COMMON, attempts=1, error="x", final=True, next_attempt_at=None, failed_at=AT
    )
    assert outcome(given_up) == ("failed", None, "Aufgegeben nach einem Versuch", AT)
    bounced = MessageBounced(
        **COMMON,
        status="5.1.1",
        diagnostic="550 5.1.1 <hq@example.org>: User unknown",
        final_recipient="hq@example.org",
        bounced_at=AT,
    )
    assert outcome(bounced) == (
        "bounced",
        "hq@example.org",
        "5.1.1 – 550 5.1.1 <hq@example.org>: User unknown",
        AT,
    )
    erased = MessageDeferred(
        **COMMON,
        status="4.4.1",
        diagnostic=None,
        final_recipient=None,
        will_retry_until=None,
        deferred_at=AT,
    )
    assert outcome(erased) == ("deferred", None, "4.4.1", AT)


def test_the_case_page_shows_a_bounced_address_as_bounced() -> None:
    view = view_of(*LIFE)
    view.messages = [
        MessageView(
            message_id=MESSAGE,
            template="acknowledgement",
            status="bounced",
            recipient="hq@example.org",
            detail="5.1.1 – User unknown",
            at=AT,
        ),
        MessageView(
            message_id=CASE,
            template="information_request",
            status="delivered",
            recipient="hq@example.org",
            detail=None,
            at=AT,
        ),
    ]
    page = render(view, person("wenzel", "clerk"))
    row = page.ids[f"nachricht-{MESSAGE}"]
    assert row["data-status"] == "bounced"
    assert '<th scope="row">Eingangsbestätigung</th>' in page.text
    assert "<strong>unzustellbar (Bounce)</strong>" in page.text
    assert "5.1.1 – User unknown" in page.text
    assert "<strong>zugestellt an den Mailserver</strong>" in page.text
    assert MessageOut(
        **view.messages[0].__dict__,
        label=view.messages[0].label,
        status_label=view.messages[0].status_label,
    ).status_label == ("unzustellbar (Bounce)")


def test_a_case_without_messages_has_no_messages_section() -> None:
    page = render(view_of(*LIFE), person("wenzel", "clerk"))
    assert "nachrichten-tabelle" not in page.ids
