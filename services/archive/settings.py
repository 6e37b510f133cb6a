"""Settings of archive, from ``ARCHIVE_*`` variables (and the suite-wide ones).

archive serves clerk pages (the e-file, ``services.archive.pages``), so its settings are a
desk's: production needs ``RATHAUS_SESSION_SECRET`` and an https ``ARCHIVE_PUBLIC_URL``.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from runtime.desk import DeskSettings
from runtime.secrets import check_random_key, decode_key

DEV_SIGNING_KEY = base64.b64encode(b"rathauscloud-dev-only-head-sig32").decode()
"""Ed25519 seed for development and tests only; refused in production."""


class ArchiveSettings(DeskSettings):
    """What archive needs beyond the shared settings (and the desk's: the clerks' e-file)."""

    model_config = SettingsConfigDict(env_prefix="ARCHIVE_", extra="ignore", populate_by_name=True)

    service_name: str = "archive"
    http_port: int = 8004
    database_url: str = "postgresql://postgres@127.0.0.1:5432/rathaus_archive"
    signing_key: SecretStr | None = None
    """The Ed25519 key that signs each town's daily chain head: its 32-byte seed, base64.
    Required in production; elsewhere the development key shipped with the code."""
    head_signing_seconds: float = Field(default=300.0, gt=0)
    """How often archive looks for finished days whose chain heads are not signed yet."""
    state_archive_url: str = ""
    """The state archive disposals are offered to (``services.archive.state_archive``); without
    one, files still go on the disposal list but nothing is offered or destroyed."""
    state_archive_key: str = "StA-SN"
    """The state archive's authority key in the xdomea messages."""
    state_archive_name: str = "Sächsisches Staatsarchiv"
    xdomea_schema_dir: str = ""
    """The xdomea 3.0.0 schemas; default: ``xdomea/schemes/xdomea_3.0.0`` in the shared data
    beside the repository (``services.archive.domain.xdomea``)."""
    disposal_seconds: float = Field(default=300.0, gt=0)
    """How often archive puts files whose retention ended on the disposal list and moves open
    disposals on (appraisal read back, handover, destruction)."""

    @model_validator(mode="after")
    def _refuse_a_development_signing_key_in_production(self) -> ArchiveSettings:
        if self.signing_key is None:
            if self.is_production:
                raise ValueError("ARCHIVE_SIGNING_KEY is required in production")
            return self
        seed = decode_key("ARCHIVE_SIGNING_KEY", self.signing_key.get_secret_value())
        if self.is_production:
            check_random_key(
                "ARCHIVE_SIGNING_KEY", seed, frozenset({base64.b64decode(DEV_SIGNING_KEY)})
            )
        return self

    def head_signing_key(self) -> Ed25519PrivateKey:
        """The key chain heads are signed with."""
        text = self.signing_key.get_secret_value() if self.signing_key else DEV_SIGNING_KEY
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text))
