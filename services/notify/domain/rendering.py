"""The messages' wording, rendered by Jinja2 from template files: subject, text and HTML.

Each kind of message has one template, ``templates/<kind>.txt.j2``: it extends the layout
``letter.txt.j2`` and fills two blocks, ``subject`` and ``body`` — the one source of its
wording. The plain-text part is the body with the town's signature (``signature.txt.j2``);
the HTML part is the layout ``letter.html.j2`` around the same body, paragraph by paragraph,
on the town's letterhead (its name, office, coat of arms if it has one, and the signature as
the footer). The text environment does not escape (a mail's text is no markup); the HTML one
escapes every value, so an applicant's ``<script>`` in a name is shown, never run. Both refuse
an undefined name (``StrictUndefined``): a template that names a value no caller gives fails
its unit test, not a citizen's mail.

A town may word a kind its own way: a file ``templates/<ags>/<name>`` in the member-town
folder (``RATHAUS_MEMBERS_DIR``) is taken before the bundled ``<name>`` — a kind's text, the
signature or the HTML layout. Such a file usually extends the bundled one and replaces a block
(``{% extends "acknowledgement.txt.j2" %}``), so it keeps up with changes to the rest. A
town's coat of arms (``[notify.letterhead] coat_of_arms``, a PNG or SVG file in that folder)
goes into the HTML part as an inline image (``cid:``); its alternative text names the town.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from contracts.calendar import GERMANY
from runtime.members import read_member_files

BUNDLED = Path(__file__).parent.parent / "templates"
"""The suite's templates (one ``<kind>.txt.j2`` per kind, the layouts and the signature)."""
COAT_OF_ARMS_CID = "wappen@rathauscloud"
"""The Content-ID the HTML part's coat of arms is referred to by (``sender.compose``)."""
COAT_OF_ARMS_TYPES = {"image/png", "image/svg+xml", "image/gif", "image/jpeg"}


def day(value: date | datetime) -> str:
    """``31.12.2026`` — a moment as the day it is in Germany."""
    if isinstance(value, datetime):
        value = value.astimezone(GERMANY).date()
    return f"{value:%d.%m.%Y}"


def clock(value: datetime) -> str:
    """``14:05`` — a moment's time of day in Germany."""
    return f"{value.astimezone(GERMANY):%H:%M}"


def euro(amount: Decimal) -> str:
    """``Decimal('1234.5')`` → ``1.234,50 €``."""
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") + " €"


def iban(compact: str) -> str:
    """An IBAN in groups of four, as it is printed."""
    return " ".join(compact[start : start + 4] for start in range(0, len(compact), 4))


@dataclass(frozen=True)
class Parts:
    """A rendered message: subject, plain text (with signature) and HTML."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class CoatOfArms:
    """A town's coat of arms, as the HTML part shows it."""

    path: Path
    content_type: str


URL = re.compile(r"^https?://\S+$")


def paragraphs(text: str) -> list[list[dict[str, str]]]:
    """The text's paragraphs (blank-line separated), each a list of lines; a line that is
    just a web address becomes a link in the HTML part."""
    return [
        [{"text": line, "href": line if URL.match(line) else ""} for line in block.split("\n")]
        for block in text.strip("\n").split("\n\n")
        if block.strip()
    ]


def coats_of_arms(members_dir: str | Path) -> dict[str, CoatOfArms]:
    """Each town's coat of arms its member file names (``[notify.letterhead] coat_of_arms``)."""
    found: dict[str, CoatOfArms] = {}
    for member in read_member_files(members_dir):
        name = member.get("notify", {}).get("letterhead", {}).get("coat_of_arms")
        if not name:
            continue
        path = Path(members_dir) / name
        content_type = mimetypes.guess_type(path.name)[0] or ""
        if content_type not in COAT_OF_ARMS_TYPES:
            raise ValueError(f"{path}: a coat of arms is a PNG, SVG, GIF or JPEG file")
        if not path.is_file():
            raise ValueError(f"{path}: the coat of arms of {member['town']['ags']} is missing")
        found[str(member["town"]["ags"])] = CoatOfArms(path, content_type)
    return found


class Renderer:
    """The bundled templates, with a member-town folder's overrides and coats of arms."""

    def __init__(self, members_dir: str | Path = "") -> None:
        overrides = Path(members_dir) / "templates" if members_dir else None
        folders = [overrides] if overrides is not None and overrides.is_dir() else []
        loader = ChoiceLoader([FileSystemLoader(folders), FileSystemLoader(BUNDLED)])
        options: dict[str, Any] = {
            "loader": loader,
            "undefined": StrictUndefined,
            "trim_blocks": True,
            "lstrip_blocks": True,
            "keep_trailing_newline": True,
        }
        self.text = Environment(autoescape=False, **options)  # plain text: nothing to escape
        self.html = Environment(autoescape=True, **options)
        for environment in (self.text, self.html):
            environment.filters.update(day=day, clock=clock, euro=euro, iban=iban)
        self.coats_of_arms = coats_of_arms(members_dir) if members_dir else {}

    def kinds(self) -> list[str]:
        """Every bundled kind of message (each ``<kind>.txt.j2`` but the layout's parts)."""
        return sorted(
            path.name.removesuffix(".txt.j2")
            for path in BUNDLED.glob("*.txt.j2")
            if path.name not in {"letter.txt.j2", "signature.txt.j2"}
        )

    def _names(self, ags: str, name: str) -> list[str]:
        return [f"{ags}/{name}", name] if ags else [name]

    def signature(self, town: Any) -> str:
        """The closing block of every message, on the town's letterhead."""
        template = self.text.select_template(self._names(town.ags, "signature.txt.j2"))
        return template.render(town=town)

    def render(self, kind: str, town: Any, /, **context: Any) -> Parts:
        """The kind's message on ``town``'s letterhead (a ``Letterhead``)."""
        template = self.text.select_template(self._names(town.ags, f"{kind}.txt.j2"))
        subject = template.render(context, town=town, part="subject").strip()
        body = template.render(context, town=town, part="body")
        signature = self.signature(town)
        arms = self.coats_of_arms.get(town.ags)
        html = self.html.select_template(self._names(town.ags, "letter.html.j2")).render(
            town=town,
            subject=subject,
            paragraphs=paragraphs(body),
            signature=paragraphs(signature),
            coat_of_arms=f"cid:{COAT_OF_ARMS_CID}" if arms else None,
        )
        return Parts(subject=subject, text=body + signature, html=html)


_current = Renderer()


def configure(members_dir: str | Path) -> Renderer:
    """Use the member-town folder's overrides and coats of arms (notify's start)."""
    global _current  # one renderer per process, set at start
    _current = Renderer(members_dir)
    return _current


def current() -> Renderer:
    """The renderer the messages are rendered with."""
    return _current
