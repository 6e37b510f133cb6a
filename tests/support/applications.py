"""Example applications, as a citizen's browser would send them."""

from __future__ import annotations

import copy
from typing import Any

WURZEN = "14729410"
AUGUSTUSBURG = "14522020"


def gewerbeanmeldung(**changes: Any) -> dict[str, Any]:
    """A complete Gewerbeanmeldung in Wurzen that every automated rule accepts."""
    body: dict[str, Any] = {
        "form": {
            "applicant": {
                "family_name": "Quirinus-Zwetschgenbaum",
                "given_names": "Hedwig",
                "birth_date": "1988-04-12",
                "nationality": "DE",
                "email": "hedwig.quirinus@example.org",
                "phone": "+49 3425 123456",
                "address": {"street": "Jacobsplatz 5", "postcode": "04808", "city": "Wurzen"},
            },
            "business": {
                "trade_name": "Quirinus Webdesign",
                "legal_form": "einzelunternehmen",
                "address": {"street": "Domplatz 3", "postcode": "04808", "city": "Wurzen"},
                "activity": "Gestaltung und Programmierung von Webseiten",
                "start_date": "2026-12-01",
                "regulated_activities": [],
                "craft_trade": False,
                "handwerksrolle_entry": False,
                "employees_full_time": 0,
                "employees_part_time": 1,
            },
            "declaration_truthful": True,
        },
        "attachments": [],
    }
    merged = copy.deepcopy(body)
    for path, value in changes.items():
        target = merged
        *parents, leaf = path.split("__")
        for part in parents:
            target = target[part]
        target[leaf] = value
    return merged
