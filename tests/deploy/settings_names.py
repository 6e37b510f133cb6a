"""The environment variable names a settings class reads, for checking what deploy files set."""

from __future__ import annotations

import importlib

from pydantic import AliasChoices
from pydantic_settings import BaseSettings


def env_names(settings: type[BaseSettings]) -> set[str]:
    """Every variable name ``settings`` reads (upper-case; pydantic-settings ignores case)."""
    prefix = str(settings.model_config.get("env_prefix", ""))
    names: set[str] = set()
    for name, info in settings.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(str(choice) for choice in alias.choices if isinstance(choice, str))
        elif isinstance(alias, str):
            names.add(alias)
        else:
            names.add(f"{prefix}{name}")
    return {n.upper() for n in names}


SETTINGS_CLASSES = {
    "intake": "services.intake.settings:IntakeSettings",
    "casework": "services.casework.settings:CaseworkSettings",
    "billing": "services.billing.settings:BillingSettings",
    "archive": "services.archive.settings:ArchiveSettings",
    "notify": "services.notify.settings:NotifySettings",
}


def settings_class(service: str) -> type[BaseSettings]:
    """A service's settings class (ImportError if the service has none yet)."""
    module, _, name = SETTINGS_CLASSES[service].partition(":")
    found: type[BaseSettings] = getattr(importlib.import_module(module), name)
    return found
