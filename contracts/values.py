"""Value objects that several services' events share."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Postcode = Annotated[str, StringConstraints(pattern=r"^\d{5}$")]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class PostalAddress(BaseModel):
    """A German postal address."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    street: NonEmpty = Field(description="Straße und Hausnummer")
    postcode: Postcode = Field(description="Postleitzahl")
    city: NonEmpty = Field(description="Ort")


class Contact(BaseModel):
    """Whom to write to about an application (personal data)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: NonEmpty
    email: NonEmpty
