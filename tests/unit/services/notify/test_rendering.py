"""Messages rendered from template files: text and HTML, escaped, per town, every kind.

The bundled wording is checked word for word by the other template tests; here: that both
parts carry it, that an applicant's markup is escaped in HTML and kept in text, that a town's
own template (the demo town Naunhof's, in ``deploy/members/templates``) and coat of arms are
used for that town only, and that every kind renders with the preview's sample data.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from jinja2 import UndefinedError

from runtime.members import read_member_files
from services.notify import composing
from services.notify.attachments import Attachment
from services.notify.composing import compose
from services.notify.domain import rendering, templates
from services.notify.domain.rendering import COAT_OF_ARMS_CID, Renderer
from services.notify.domain.samples import SAMPLES
from services.notify.domain.templates import Letterhead
from services.notify.settings import NotifySettings

MEMBERS = Path(__file__).parents[4] / "deploy" / "members"
NAUNHOF, WURZEN = "14729300", "14729410"
SCRIPT = "Erika <script>alert('x')</script> & Söhne"
OWN_SENTENCE = "Bei Fragen zu Ihrem Antrag hilft Ihnen das Bürgerbüro der Stadt Naunhof gern weiter"


def letterhead(ags: str, office: str = "Bürgerservice") -> Letterhead:
    """A member town's letterhead, from its member file as intake publishes it."""
    [town] = [m["town"] for m in read_member_files(MEMBERS) if m["town"]["ags"] == ags]
    return Letterhead.from_profile(town, office)


@pytest.fixture
def members(monkeypatch: pytest.MonkeyPatch) -> Renderer:
    """The renderer as notify configures it at start, with the demo member folder."""
    renderer = Renderer(MEMBERS)
    monkeypatch.setattr(rendering, "_current", renderer)
    return renderer


def acknowledgement(town: Letterhead, name: str = "Erika Mustermann") -> templates.Message:
    return templates.acknowledgement(
        town,
        name=name,
        procedure="gewerbeanmeldung",
        application_id="0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10",
        submitted_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        tracking_url="https://wurzen.rathauscloud.example/antrag/x/status?t=a&u=b",
        case_number="WUR-2026-000042",
    )


def test_a_message_has_its_wording_as_text_and_as_html_on_the_letterhead() -> None:
    town = letterhead(WURZEN, "Gewerbeamt")
    message = acknowledgement(town)

    assert message.subject == "Eingangsbestätigung: Gewerbeanmeldung – Große Kreisstadt Wurzen"
    assert message.body.startswith("Guten Tag Erika Mustermann,\n\nIhr Antrag „Gewerbeanmeldung“")
    assert message.body.endswith(town.signature())
    html = message.html
    assert html.startswith('<!DOCTYPE html>\n<html lang="de">')
    assert f"<title>{message.subject}</title>" in html
    assert '<h1 style="' in html
    assert ">Große Kreisstadt Wurzen</h1>" in html
    assert '<p style="margin:0 0 1em 0;">Guten Tag Erika Mustermann,</p>' in html
    assert "Vorgangsnummer: WUR-2026-000042<br>\nAntragskennung: 0190f3c4" in html
    # the link is one, its address escaped as an attribute must be
    link = "https://wurzen.rathauscloud.example/antrag/x/status?t=a&amp;u=b"
    assert f'<a href="{link}" style="color:#1d4e89;">{link}</a>' in html
    footer = html.split("<footer", 1)[1]
    assert "Mit freundlichen Grüßen<br>\nGewerbeamt<br>\nGroße Kreisstadt Wurzen" in footer
    assert "<img" not in html  # Wurzen names no coat of arms


def test_an_applicants_markup_is_escaped_in_html_and_kept_verbatim_in_text() -> None:
    message = acknowledgement(letterhead(WURZEN), name=SCRIPT)

    assert f"Guten Tag {SCRIPT}," in message.body
    assert "<script>" not in message.html
    assert "Guten Tag Erika &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Söhne," in (
        message.html
    )


def test_a_supplier_named_with_markup_is_escaped_in_the_rejection_too() -> None:
    message = SAMPLES["invoice_rejection"].render(letterhead(WURZEN, "Rechnungseingang"))
    escaped = templates.render(
        "invoice_rejection",
        letterhead(WURZEN, "Rechnungseingang"),
        seller_name="<img src=x onerror=alert(1)>",
        invoice_number="1",
        reasons=["<b>fett</b>"],
    )

    assert "Muster GmbH" in message.html
    assert "<img src=x" not in escaped.html
    assert "&lt;img src=x onerror=alert(1)&gt;" in escaped.html
    assert "- &lt;b&gt;fett&lt;/b&gt;" in escaped.html
    assert "- <b>fett</b>\n" in escaped.body


@pytest.mark.usefixtures("members")
def test_the_demo_towns_own_template_words_its_acknowledgement_and_only_its_own() -> None:
    naunhof = acknowledgement(letterhead(NAUNHOF))
    wurzen = acknowledgement(letterhead(WURZEN))

    paragraphs = naunhof.body.split("\n\n")
    assert paragraphs[1].startswith("Ihr Antrag „Gewerbeanmeldung“ ist am 01.12.2026 um 10:30")
    assert paragraphs[2].startswith(OWN_SENTENCE)
    assert OWN_SENTENCE in naunhof.html
    assert "Vorgangsnummer: WUR-2026-000042\nAntragskennung:" in naunhof.body  # the rest stays
    assert naunhof.subject == "Eingangsbestätigung: Gewerbeanmeldung – Stadt Naunhof"
    assert OWN_SENTENCE not in wurzen.body
    assert OWN_SENTENCE not in wurzen.html


@pytest.mark.usefixtures("members")
def test_the_demo_towns_coat_of_arms_heads_its_html_with_an_alternative_text() -> None:
    naunhof = acknowledgement(letterhead(NAUNHOF)).html
    wurzen = acknowledgement(letterhead(WURZEN)).html

    assert f'<img src="cid:{COAT_OF_ARMS_CID}" alt="Wappen: Stadt Naunhof"' in naunhof
    assert "<img" not in wurzen


def test_a_towns_folder_may_word_subject_signature_and_layout_its_own_way(
    tmp_path: Path,
) -> None:
    own = tmp_path / "templates" / WURZEN
    own.mkdir(parents=True)
    (own / "withdrawal.txt.j2").write_text(
        '{% extends "withdrawal.txt.j2" %}'
        "{% block subject %}Ihre Rücknahme – {{ town.official_name }}{% endblock %}",
        encoding="utf-8",
    )
    (own / "signature.txt.j2").write_text("Ihre Stadtverwaltung\n", encoding="utf-8")
    (own / "letter.html.j2").write_text(
        "<p>{{ town.official_name }}: {{ subject }}</p>", encoding="utf-8"
    )
    renderer = Renderer(tmp_path)
    context: dict[str, Any] = {
        "name": SCRIPT,
        "title": "Gewerbeanmeldung",
        "case_number": "WUR-1",
        "withdrawn_at": datetime(2026, 12, 2, tzinfo=UTC),
    }

    wurzen = renderer.render("withdrawal", letterhead(WURZEN), **context)
    naunhof = renderer.render("withdrawal", letterhead(NAUNHOF), **context)

    assert wurzen.subject == "Ihre Rücknahme – Große Kreisstadt Wurzen"
    assert wurzen.text.endswith(
        "eine Entscheidung ergeht nicht.\n\n"
        "Bitte antworten Sie nicht auf diese automatisch erstellte"
        " E-Mail.\n\nIhre Stadtverwaltung\n"
    )
    assert wurzen.html == "<p>Große Kreisstadt Wurzen: Ihre Rücknahme – Große Kreisstadt Wurzen</p>"
    assert naunhof.subject == "Rücknahme bestätigt: Gewerbeanmeldung – Stadt Naunhof"
    assert naunhof.text.endswith("https://www.naunhof.de\n")


def test_a_template_naming_a_value_nobody_gives_fails_loudly(tmp_path: Path) -> None:
    own = tmp_path / "templates" / WURZEN
    own.mkdir(parents=True)
    (own / "withdrawal.txt.j2").write_text(
        '{% extends "withdrawal.txt.j2" %}{% block subject %}{{ vorname }}{% endblock %}',
        encoding="utf-8",
    )

    with pytest.raises(UndefinedError):
        Renderer(tmp_path).render(
            "withdrawal",
            letterhead(WURZEN),
            name="x",
            title="y",
            case_number="z",
            withdrawn_at=datetime(2026, 12, 2, tzinfo=UTC),
        )


def test_a_coat_of_arms_that_is_no_image_or_missing_refuses_the_start(tmp_path: Path) -> None:
    member = (MEMBERS / "14729300-naunhof.toml").read_text(encoding="utf-8")
    (tmp_path / "14729300-naunhof.toml").write_text(member, encoding="utf-8")
    with pytest.raises(ValueError, match="is missing"):
        Renderer(tmp_path)
    (tmp_path / "templates" / NAUNHOF).mkdir(parents=True)
    (tmp_path / "templates" / NAUNHOF / "wappen.svg").write_text("<svg/>", encoding="utf-8")
    assert Renderer(tmp_path).coats_of_arms[NAUNHOF].content_type == "image/svg+xml"
    (tmp_path / "14729300-naunhof.toml").write_text(
        member.replace("wappen.svg", "wappen.exe"), encoding="utf-8"
    )
    with pytest.raises(ValueError, match="PNG, SVG"):
        Renderer(tmp_path)


@pytest.mark.usefixtures("members")
@pytest.mark.parametrize("kind", list(SAMPLES))
@pytest.mark.parametrize("ags", [WURZEN, NAUNHOF])
def test_every_kind_renders_with_the_sample_data_on_the_letterhead(kind: str, ags: str) -> None:
    town = letterhead(ags, SAMPLES[kind].office or "Bürgerservice")
    message = SAMPLES[kind].render(town)

    assert message.subject
    assert "{" not in message.subject
    assert "\n" not in message.subject
    assert message.body.endswith(town.signature())
    assert "{{" not in message.body
    assert "{%" not in message.body
    assert f">{town.official_name}</h1>" in message.html
    assert message.html.count("<p ") >= 4


def test_the_preview_knows_every_bundled_kind() -> None:
    assert sorted(SAMPLES) == Renderer().kinds()


def test_the_mail_is_text_and_html_as_alternatives_with_the_coat_of_arms_inline(
    members: Renderer,
) -> None:
    message = acknowledgement(letterhead(NAUNHOF), name=SCRIPT)
    row: dict[str, Any] = {
        "profile": {"official_name": "Stadt Naunhof"},
        "recipient": "erika@example.org",
        "subject": message.subject,
        "body": message.body,
        "html": message.html,
        "tenant": NAUNHOF,
        "letterhead_town": None,
        "message_id": "0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10",
    }
    pdf = b"%PDF-1.7\n%%EOF"
    settings = NotifySettings(environment="test", members_dir=str(MEMBERS))
    mail = compose(row, settings, [Attachment("bescheid.pdf", "application/pdf", pdf)])

    parsed = message_from_bytes(mail.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert [part.get_content_type() for part in parsed.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/svg+xml",
        "application/pdf",
    ]
    text, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert text is not None
    assert html is not None
    assert str(text.get_content()) == message.body
    assert str(html.get_content()) == message.html
    image = next(p for p in parsed.walk() if p.get_content_type() == "image/svg+xml")
    assert image["Content-ID"] == f"<{COAT_OF_ARMS_CID}>"
    assert (
        image.get_payload(decode=True)
        == (MEMBERS / "templates" / NAUNHOF / "wappen.svg").read_bytes()
    )
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_payload(decode=True) == pdf


def test_a_mail_without_html_stays_plain_text() -> None:
    row = {
        "profile": None,
        "recipient": "a@example.org",
        "subject": "Betreff",
        "body": "Guten Tag",
        "message_id": "0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10",
    }
    mail = compose(row, NotifySettings(environment="test"))
    assert mail.get_content_type() == "text/plain"


def test_a_coat_of_arms_gone_since_the_start_leaves_the_alternative_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = (MEMBERS / "14729300-naunhof.toml").read_text(encoding="utf-8")
    (tmp_path / "14729300-naunhof.toml").write_text(member, encoding="utf-8")
    (tmp_path / "templates" / NAUNHOF).mkdir(parents=True)
    arms = tmp_path / "templates" / NAUNHOF / "wappen.svg"
    arms.write_text("<svg/>", encoding="utf-8")
    monkeypatch.setattr(rendering, "_current", Renderer(tmp_path))
    message = acknowledgement(letterhead(NAUNHOF))
    arms.unlink()  # after notify started
    row = {
        "profile": None,
        "recipient": "a@example.org",
        "subject": message.subject,
        "body": message.body,
        "html": message.html,
        "tenant": NAUNHOF,
        "message_id": "0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10",
    }

    mail = compose(row, NotifySettings(environment="test", members_dir=str(tmp_path)))

    assert [part.get_content_type() for part in mail.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]


def test_the_shared_header_classes_put_a_mail_together_byte_for_byte_as_the_default_policy(
    members: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = acknowledgement(letterhead(NAUNHOF), name=SCRIPT)
    row: dict[str, Any] = {
        "profile": {"official_name": "Gemeinde Großpösna – Bürgerbüro", "email": "a@b.example"},
        "recipient": "Jürgen Groß <jürgen@example.org>",
        "subject": "Ihre Gewerbeanmeldung – Eingangsbestätigung für Änderungen " * 3,
        "body": message.body,
        "html": message.html,
        "tenant": NAUNHOF,
        "letterhead_town": None,
        "message_id": "0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10",
    }
    settings = NotifySettings(environment="test", members_dir=str(MEMBERS))
    pdf = [Attachment("bescheid.pdf", "application/pdf", b"%PDF-1.7\n%%EOF")]

    def flattened() -> bytes:
        mail = compose(row, settings, pdf)
        mail.replace_header("Date", "Tue, 01 Dec 2026 09:30:00 +0000")
        wire = mail.as_bytes(policy=mail.policy.clone(linesep="\r\n"))
        return re.sub(rb"={15}\d+==", b"BOUNDARY", wire)  # random per part

    shared = flattened()
    assert compose(row, settings).policy is composing.POLICY  # the shared header classes'
    monkeypatch.setattr(composing, "POLICY", policy.default)
    assert shared == flattened()
    assert b"=?utf-8?" in shared  # the headers were encoded and folded, not passed through
    registry = composing.SharedHeaderClasses()
    assert registry["Subject"] is registry["subject"]
