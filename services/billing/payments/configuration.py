"""Each town's payment provider, from ``[billing.payment]`` of its member file.

```toml
[billing.payment]
provider = "simulator"                      # the provider's name: in callback URLs and booking ids
protocol = "hmac-redirect"                  # the adapter that speaks to it
base_url = "http://127.0.0.1:8096"
merchant = "14729410"                       # the town's account at the provider
key_env = "BILLING_PAYMENT_KEY_14729410"    # the variable that holds the shared HMAC key
```

The key itself is never in a member file: it is a secret of the installation, read from the
variable the file names. Production fails closed: a town whose key is missing, a development
value or weak, whose provider is the simulator or whose URL is not https, gets no online
payment (and the log says why); elsewhere a missing key is the development key
(``DEV_PAYMENT_KEY``), which the simulator knows too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import structlog
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from runtime.members import read_member_files
from runtime.secrets import SecretRefused, check_token
from services.billing.payments.hmac_redirect import HmacRedirectProvider
from services.billing.payments.provider import PaymentProvider

log = structlog.get_logger(__name__)

DEV_PAYMENT_KEY = "rathauscloud-dev-payment-key-for-the-simulator-only"
"""Shared with the simulator outside production; refused in production."""
SIMULATOR = "simulator"


class PaymentSectionInvalid(ValueError):
    """A ``[billing.payment]`` section that cannot be used; the message names what is wrong."""


class PaymentSection(BaseModel):
    """What a member file says of the town's payment provider."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")
    protocol: Literal["hmac-redirect"] = "hmac-redirect"
    base_url: str = Field(pattern=r"^https?://[^\s]+$")
    merchant: str = Field(min_length=1, max_length=64)
    key_env: str = Field(pattern=r"^[A-Z][A-Z0-9_]{2,79}$")


@dataclass(frozen=True)
class TownProvider:
    """A town's provider, ready to be spoken to."""

    town: str
    section: PaymentSection
    key: SecretStr


def read_section(
    member: Mapping[str, Any], environ: Mapping[str, str], production: bool
) -> TownProvider | None:
    """The town's provider (None: the file names none); raises ``PaymentSectionInvalid``."""
    town = str(member["town"]["ags"])
    raw = member.get("billing", {}).get("payment")
    if raw is None:
        return None
    try:
        section = PaymentSection.model_validate(raw)
    except ValidationError as exc:
        wrong = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise PaymentSectionInvalid(f"billing.payment: {wrong}") from None
    key = environ.get(section.key_env, "")
    if production:
        _check_for_production(section, key)
    return TownProvider(town, section, SecretStr(key or DEV_PAYMENT_KEY))


def _check_for_production(section: PaymentSection, key: str) -> None:
    if section.provider == SIMULATOR:
        raise PaymentSectionInvalid("billing.payment.provider: the simulator is for tests only")
    if not section.base_url.startswith("https://"):
        raise PaymentSectionInvalid("billing.payment.base_url: must be an https:// URL")
    if not key:
        raise PaymentSectionInvalid(f"{section.key_env} is required in production")
    try:
        check_token(section.key_env, key, frozenset({DEV_PAYMENT_KEY}))
    except SecretRefused as exc:
        raise PaymentSectionInvalid(str(exc)) from None


def adapter(configured: TownProvider) -> PaymentProvider:
    """The adapter that speaks the provider's protocol."""
    section = configured.section
    key = configured.key.get_secret_value().encode()
    return HmacRedirectProvider(section.provider, section.base_url, section.merchant, key)


def load_providers(
    members_dir: str, environ: Mapping[str, str], production: bool
) -> dict[str, PaymentProvider]:
    """Each town's provider by AGS; a town whose section is invalid has none (logged)."""
    providers: dict[str, PaymentProvider] = {}
    for member in read_member_files(members_dir):
        town = str(member["town"]["ags"])
        try:
            configured = read_section(member, environ, production)
        except PaymentSectionInvalid as exc:
            log.error("no online payment for this town", town=town, error=str(exc))
            continue
        if configured is not None:
            providers[town] = adapter(configured)
    return providers
