"""Member-town configuration files: one TOML file per town, one section per service.

Onboarding a town is adding its file (see ``deploy/members/``). Each service reads only
its own section and turns a change into events of its own at start-up; everything else it
learns about a town, it learns from other services' events.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


class MemberFileError(ValueError):
    """A member file cannot be read; the message names the file."""


def read_member_files(folder: str | Path) -> list[dict[str, Any]]:
    """The parsed member files of ``folder``, sorted by file name (empty if no folder)."""
    if not folder:
        return []
    path = Path(folder)
    if not path.is_dir():
        raise MemberFileError(f"member folder {path} does not exist")
    members = []
    for file in sorted(path.glob("*.toml")):
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise MemberFileError(f"{file}: {exc}") from exc
        if "town" not in data or "ags" not in data["town"]:
            raise MemberFileError(f"{file}: no [town] section with an ags")
        members.append(data)
    return members
