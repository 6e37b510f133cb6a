"""The mailbox's pages and API, answered without a socket."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from devstack.mailbox import german_size, respond
from devstack.mailsink import MailStore, ReceivedMail, from_eml, to_eml

SMTP = "127.0.0.1:1025"


def mail(subject: str = "Eingangsbestätigung: Gewerbeanmeldung", html: bool = False) -> bytes:
    message = EmailMessage()
    message["From"] = "Große Kreisstadt Wurzen <noreply@rathauscloud.example>"
    message["To"] = "hedwig@example.org"
    message["Subject"] = subject
    message.set_content("Guten Tag,\nIhr Antrag <Nr. 1> ist eingegangen.")
    if html:
        message.add_alternative("<p>Guten Tag</p>", subtype="html")
    message.add_attachment(b"%PDF-1.7", maintype="application", subtype="pdf", filename="b.pdf")
    return message.as_bytes()


def store_with(*raws: bytes, folder: Path | None = None) -> MailStore:
    store = MailStore(folder)
    for raw in raws:
        store.add("noreply@rathauscloud.example", ["hedwig@example.org"], raw)
    return store


def test_the_overview_is_an_accessible_german_page_listing_every_mail() -> None:
    answer = respond(store_with(mail("Erste"), mail("Zweite")), "/", SMTP)
    page = answer.body.decode()
    assert answer.status == 200
    assert answer.content_type == "text/html; charset=utf-8"
    assert '<html lang="de">' in page
    assert "<h1>Postausgang der Entwicklungsumgebung</h1>" in page
    assert "<caption>2 Nachrichten, neueste zuerst</caption>" in page
    assert page.count('<th scope="col">') == 5
    assert page.index("Zweite") < page.index("Erste")
    assert '<a href="/messages/1">Erste</a>' in page


def test_the_overview_says_when_nothing_arrived() -> None:
    page = respond(MailStore(), "/", SMTP).body.decode()
    assert "Noch keine Nachrichten eingegangen." in page
    assert "<table>" not in page


def test_a_mail_page_shows_envelope_text_and_attachments_escaped() -> None:
    page = respond(store_with(mail(html=True)), "/messages/1", SMTP).body.decode()
    assert "<h1>Eingangsbestätigung: Gewerbeanmeldung</h1>" in page
    assert "Große Kreisstadt Wurzen &lt;noreply@rathauscloud.example&gt;" in page
    assert "Ihr Antrag &lt;Nr. 1&gt; ist eingegangen." in page
    assert '<a href="/messages/1/attachments/1">b.pdf</a> (application/pdf, 8 Bytes)' in page
    assert '<a href="/messages/1/html">HTML-Fassung anzeigen</a>' in page


def test_the_html_part_is_served_sandboxed() -> None:
    answer = respond(store_with(mail(html=True)), "/messages/1/html", SMTP)
    assert answer.body == b"<p>Guten Tag</p>\n"
    assert answer.headers["Content-Security-Policy"].startswith("sandbox;")


def test_attachments_and_the_original_can_be_downloaded() -> None:
    raw = mail()
    store = store_with(raw)
    attachment = respond(store, "/messages/1/attachments/1", SMTP)
    assert (attachment.status, attachment.content_type) == (200, "application/pdf")
    assert attachment.body == b"%PDF-1.7"
    assert attachment.headers["Content-Disposition"] == "attachment; filename*=UTF-8''b.pdf"
    original = respond(store, "/messages/1.eml", SMTP)
    assert original.body == raw


def test_the_api_gives_every_mail_as_json() -> None:
    answer = respond(store_with(mail()), "/api/messages", SMTP)
    [found] = json.loads(answer.body)
    assert found["subject"] == "Eingangsbestätigung: Gewerbeanmeldung"
    assert found["envelope_to"] == ["hedwig@example.org"]
    assert found["text"].startswith("Guten Tag,")
    assert found["attachments"] == [
        {"filename": "b.pdf", "content_type": "application/pdf", "size": 8}
    ]
    assert json.loads(respond(store_with(mail()), "/api/messages/1", SMTP).body)["id"] == 1


def test_unknown_paths_and_mails_are_404_in_german() -> None:
    store = store_with(mail())
    for path in ("/messages/2", "/messages/x", "/nothing", "/messages/1/attachments/9"):
        answer = respond(store, path, SMTP)
        assert answer.status == 404, path
        assert "Nicht gefunden" in answer.body.decode()


def test_a_kept_mail_reads_back_with_its_envelope(tmp_path: Path) -> None:
    received = ReceivedMail(
        7, datetime(2026, 11, 22, 3, 57, tzinfo=UTC), "a@x", ("b@y", "c@z"), b"S"
    )
    assert from_eml(7, to_eml(received)) == received


def test_mails_survive_a_restart_of_the_sink(tmp_path: Path) -> None:
    store_with(mail("Erste"), folder=tmp_path)
    again = MailStore(tmp_path)
    assert [m.subject for m in again.all()] == ["Erste"]
    assert again.add("a@x", ["b@y"], mail("Zweite")).id == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["000001.eml", "000002.eml"]


def test_sizes_are_written_the_german_way() -> None:
    assert german_size(1234567) == "1.234.567 Bytes"
