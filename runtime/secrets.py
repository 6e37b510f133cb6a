"""Checks that secrets are secrets: decoded and measured, never compared as strings, never shown.

In production every secret is required. A key-encryption key must decode to exactly 32 bytes
that look random; a token or a signing secret must be long and varied. The development values
that ship with the code are refused, in whatever spelling (a trailing newline, another base64
padding) — the comparison is of the decoded bytes. Error messages name the variable and what
is wrong with its value, never the value itself.
"""

from __future__ import annotations

import base64
import binascii

KEY_BYTES = 32
MIN_DISTINCT_KEY_BYTES = 20
"""32 random bytes hold about 30 distinct values; a text, a pattern or zeros hold far fewer."""
MIN_TOKEN_LENGTH = 32
MIN_DISTINCT_TOKEN_CHARACTERS = 12


class SecretRefused(ValueError):
    """A secret that must not be used; the message names the variable, not the value."""


def decode_key(variable: str, value: str) -> bytes:
    """The 32 bytes a base64 key-encryption key stands for; refuses anything else."""
    text = value.strip()
    if text != value:
        raise SecretRefused(f"{variable} has surrounding whitespace or a line break")
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SecretRefused(f"{variable} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise SecretRefused(f"{variable} must be {KEY_BYTES} bytes, base64-encoded")
    return key


def check_random_key(variable: str, key: bytes, refused: frozenset[bytes]) -> bytes:
    """Refuse a development key, and bytes that do not look random (zeros, text, patterns)."""
    if key in refused:
        raise SecretRefused(f"{variable} is a development key, shipped with the code")
    if len(set(key)) < MIN_DISTINCT_KEY_BYTES or all(32 <= b < 127 for b in key):
        raise SecretRefused(
            f"{variable} does not look random; generate one with"
            " `python -c 'import os, base64; print(base64.b64encode(os.urandom(32)).decode())'`"
        )
    return key


def check_token(variable: str, value: str, refused: frozenset[str]) -> str:
    """Refuse a development token, a short one, and one with little variety."""
    if value.strip() != value:
        raise SecretRefused(f"{variable} has surrounding whitespace or a line break")
    if value in refused:
        raise SecretRefused(f"{variable} is a development value, shipped with the code")
    if len(value) < MIN_TOKEN_LENGTH:
        raise SecretRefused(f"{variable} must be at least {MIN_TOKEN_LENGTH} characters long")
    if len(set(value)) < MIN_DISTINCT_TOKEN_CHARACTERS:
        raise SecretRefused(
            f"{variable} does not look random; generate one with"
            " `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )
    return value
