"""Attachments' names and sizes as citizens read them.

A file's name is a display name only (the object store names files by id), cleaned of any
path and troublesome characters; a limit reads in German units.
"""

from __future__ import annotations

import re

MAX_FILENAME = 120


def safe_filename(name: str) -> str:
    """The file name without any path or troublesome characters, at most 120 characters.

    A long name is shortened in its stem, so that the extension survives.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"[^\w.\- ]", "_", base).strip(" .")
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or len(extension) > 10:
        stem, extension = cleaned, ""
    suffix = f".{extension}" if extension else ""
    stem = stem[: MAX_FILENAME - len(suffix)].rstrip(" .")
    return f"{stem}{suffix}" if stem else "anhang"


def size_in_words(size: int) -> str:
    """``5 MB``, ``1,5 MB``, ``512 KB`` — how a limit reads in German."""
    if size < 1024 * 1024:
        return f"{size // 1024} KB"
    megabytes = f"{size / (1024 * 1024):.1f}".removesuffix(".0").replace(".", ",")
    return f"{megabytes} MB"
