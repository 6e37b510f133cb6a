"""The development issuer's signing key: made once, kept in the data folder.

A restarted issuer (or the next ``start``) signs with the same key, so tokens handed out
before stay valid and the services need not fetch new keys. Delete the file to rotate: the
services fetch the new key when the first token names its unknown ``kid``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from joserfc.jwk import KeySet, RSAKey

ALGORITHM = "RS256"
KEY_FILE = "signing-key.json"


def load_or_create_key(folder: Path) -> RSAKey:
    """The RSA signing key kept in ``folder``; a new one (written there) if there is none."""
    path = folder / KEY_FILE
    if path.exists():
        return RSAKey.import_key(json.loads(path.read_text(encoding="utf-8")))
    key = RSAKey.generate_key(2048, parameters={"alg": ALGORITHM, "use": "sig"}, auto_kid=True)
    folder.mkdir(parents=True, exist_ok=True)
    # Written to a private file first, then moved: never readable by others, never half.
    partial = path.with_suffix(".tmp")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(key.as_dict(private=True), file)
    partial.replace(path)
    return key


def public_jwks(key: RSAKey) -> dict[str, Any]:
    """The JWKS document: the public half only."""
    return dict(KeySet([key]).as_dict(private=False))
