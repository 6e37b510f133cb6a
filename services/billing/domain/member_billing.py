"""A member file's ``[billing]`` section, checked before anything of it is adopted (pure).

The section states the town's Verwaltungskostensatzung (``[[billing.schedules]]``, one
entry per version), its Hundesteuersatzung (``[[billing.dog_tax]]``) and the account its
fees are paid to (``[billing.account]``: the Stadtkasse or Gemeindekasse, an IBAN and BIC
schwifty accepts, the bank's name); deploy/README.md shows the layout. A mistake is refused
as a whole with every broken field named — town, path and what is wrong — rather than half
a schedule adopted. Keys of the section that other parts of billing read are left to them.

The older form, ``[billing.fees]`` with one flat fee per procedure, is still read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from contracts.events.billing import FeeScheduleAdopted
from contracts.fee_schedules import (
    AreaTimeFee,
    DogTaxStatute,
    Money,
    ScheduleVersion,
    TownAccount,
)
from contracts.procedures import ProcedureId
from contracts.procedures.sondernutzungserlaubnis import UseCategory
from services.billing.domain.money import CENT
from services.billing.domain.schedule_versions import flat_fees, valid_on

KINDS = frozenset({"flat", "range", "area_time"})
"""Item kinds: pydantic puts the kind into an error's path; the message leaves it out."""
PROCEDURES = frozenset(str(procedure) for procedure in ProcedureId)
CATEGORIES = {ProcedureId.SONDERNUTZUNGSERLAUBNIS: frozenset(str(c) for c in UseCategory)}
"""Procedures priced by category of use, and the categories their form knows."""


class BillingSection(BaseModel):
    """What billing's fee schedule reads from a member file."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    fees: dict[str, Money] = Field(default_factory=dict, description="The older, flat form")
    schedules: list[ScheduleVersion] = Field(default_factory=list)
    dog_tax: list[DogTaxStatute] = Field(default_factory=list)
    account: TownAccount | None = Field(default=None, description="None: no fee notices")

    @field_validator("schedules", "dog_tax")
    @classmethod
    def _in_order_of_validity(cls, versions: list[Any]) -> list[Any]:
        days = [version.valid_from for version in versions]
        if days != sorted(set(days)):
            raise ValueError("versions must follow each other by valid_from, each day once")
        return versions

    @field_validator("schedules")
    @classmethod
    def _known_procedures(cls, versions: list[ScheduleVersion]) -> list[ScheduleVersion]:
        for number, version in enumerate(versions):
            for procedure, item in version.items.items():
                where = f"schedules[{number}].items.{procedure}"
                if procedure not in PROCEDURES:
                    raise ValueError(f"{where}: no procedure of the suite has this id")
                known = CATEGORIES.get(ProcedureId(procedure))
                if isinstance(item, AreaTimeFee) and known is not None:
                    unknown = sorted(set(item.rates) - known)
                    if unknown:
                        raise ValueError(f"{where}.rates: the form knows no category {unknown}")
        return versions

    @model_validator(mode="after")
    def _one_form(self) -> BillingSection:
        if self.fees and self.schedules:
            raise ValueError("fees and schedules both given: state the fees in schedules only")
        return self


class BillingSectionInvalid(ValueError):
    """A member file's billing section cannot be adopted; the message names every mistake."""


def read_billing(member: Mapping[str, Any]) -> BillingSection:
    """The checked ``[billing]`` section of a parsed member file."""
    try:
        return BillingSection.model_validate(member.get("billing", {}))
    except ValidationError as exc:
        raise BillingSectionInvalid(_message(member.get("town", {}), exc)) from None


def _message(town: Mapping[str, Any], exc: ValidationError) -> str:
    who = f"{town.get('name', '?')} ({town.get('ags', '?')})"
    lines = [f"{who}: the [billing] section of the member file is invalid:"]
    for error in exc.errors():
        path = "billing" + "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}"
            for part in error["loc"]
            if part not in KINDS
        )
        lines.append(f"  {path}: {error['msg']}")
    return "\n".join(lines)


def adopted(section: BillingSection, town: str, today: date) -> FeeScheduleAdopted:
    """The schedule to record: its versions, and the flat fees of the one in force today."""
    if not section.schedules:
        flat = {name: amount.quantize(CENT) for name, amount in section.fees.items()}
        return FeeScheduleAdopted(
            town=town, fees=flat, dog_tax=section.dog_tax, account=section.account
        )
    in_force = valid_on(section.schedules, today)
    fees: dict[str, Decimal] = flat_fees(in_force) if in_force else {}
    return FeeScheduleAdopted(
        town=town,
        fees=fees,
        versions=section.schedules,
        dog_tax=section.dog_tax,
        account=section.account,
    )
