"""Groups and checks that several procedures' forms share: people, places, periods, a mandate.

Each group is a ``FormModel`` (a fieldset in the widget). The submission's plausibility checks
(a period not in the past, a birth date that can be true) run when a citizen submits, never
when a stored form is read back (``contracts.values.STORED``): the period of a road works
applied for last year lies in the past today, and that changes nothing about the case.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar, Literal, Self

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from contracts.procedures.base import FormModel, GeoPoint, field_error
from contracts.values import (
    Bic,
    Contact,
    EmailAddress,
    Iban,
    PersonName,
    PostalAddress,
    SingleLine,
    is_stored,
    submitted_on,
)

DECLARATION = "Ich versichere die Richtigkeit und Vollständigkeit meiner Angaben."
"""The title of every form's ``declaration_truthful`` box."""

OLDEST_BIRTH_YEAR = 1900


def years_between(born: date, day: date) -> int:
    """Completed years from ``born`` to ``day`` (a birthday on 29 February counts on 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def plausible_birth_date(value: date, info: ValidationInfo) -> date:
    """A birth date that can be a living person's: not ahead, not before 1900 (at submission)."""
    if is_stored(info):
        return value
    if value > submitted_on(info):
        raise ValueError("Das Geburtsdatum darf nicht in der Zukunft liegen.")
    if value.year < OLDEST_BIRTH_YEAR:
        raise ValueError("Bitte prüfen Sie das Geburtsdatum.")
    return value


def within(value: date, info: ValidationInfo, *, back: timedelta, ahead: timedelta) -> date:
    """A date at most ``back`` before and ``ahead`` after the submission (at submission only)."""
    if is_stored(info):
        return value
    day = submitted_on(info)
    if value < day - back:
        raise ValueError(
            "Das Datum liegt zu weit zurück. Bitte wenden Sie sich an die zuständige Stelle."
        )
    if value > day + ahead:
        raise ValueError("Das Datum liegt zu weit in der Zukunft.")
    return value


class Person(FormModel):
    """A citizen applying for themselves: name, address, how to reach them."""

    model_config = ConfigDict(title="Angaben zur Person")

    family_name: PersonName = Field(title="Familienname")
    given_names: PersonName = Field(title="Vornamen")
    address: PostalAddress = Field(title="Wohnanschrift")
    email: EmailAddress = Field(title="E-Mail-Adresse")
    phone: SingleLine | None = Field(default=None, title="Telefon (freiwillig)", max_length=40)

    def contact(self) -> Contact:
        """Whom notify writes to."""
        return Contact(name=f"{self.given_names} {self.family_name}", email=self.email)


class Company(FormModel):
    """A business applying (e.g. a construction company), with the person who answers."""

    model_config = ConfigDict(title="Antragsteller (Unternehmen)")

    name: SingleLine = Field(title="Firma", max_length=200)
    contact_person: PersonName = Field(title="Ansprechpartner/in (Vor- und Nachname)")
    address: PostalAddress = Field(title="Anschrift")
    email: EmailAddress = Field(title="E-Mail-Adresse")
    phone: SingleLine = Field(title="Telefon (tagsüber erreichbar)", max_length=40)

    def contact(self) -> Contact:
        """Whom notify writes to: the contact person, at the company's address."""
        return Contact(name=self.contact_person, email=self.email)


class Coordinates(FormModel):
    """A WGS 84 position as the widget's map or a phone's GPS gives it."""

    model_config = ConfigDict(title="Punkt auf der Karte")
    schema_extra: ClassVar[dict[str, Any]] = {"x-widget": "point"}

    lat: float = Field(ge=-90, le=90, title="Geografische Breite", examples=[51.3703])
    lon: float = Field(ge=-180, le=180, title="Geografische Länge", examples=[12.7392])

    def point(self) -> GeoPoint:
        """The position as ``Place`` holds it."""
        return GeoPoint(lat=self.lat, lon=self.lon)


class Section(FormModel):
    """A stretch of road from one point to another (both the same: one spot)."""

    model_config = ConfigDict(title="Abschnitt")
    schema_extra: ClassVar[dict[str, Any]] = {"x-widget": "section"}

    start: Coordinates = Field(title="Anfang des Abschnitts")
    end: Coordinates = Field(title="Ende des Abschnitts")


LATEST_START = timedelta(days=730)
LONGEST_PERIOD = timedelta(days=730)
"""An online application is for a period starting within two years and lasting at most two."""


class Period(FormModel):
    """From a first to a last day, both included; not in the past when applied for."""

    model_config = ConfigDict(title="Zeitraum")

    start: date = Field(title="Erster Tag")
    end: date = Field(title="Letzter Tag")

    @field_validator("start")
    @classmethod
    def _ahead(cls, value: date, info: ValidationInfo) -> date:
        if is_stored(info):
            return value
        day = submitted_on(info)
        if value < day:
            raise ValueError("Der Beginn darf nicht in der Vergangenheit liegen.")
        if value > day + LATEST_START:
            raise ValueError("Ein Antrag ist höchstens zwei Jahre vor dem Beginn möglich.")
        return value

    @model_validator(mode="after")
    def _end_after_start(self, info: ValidationInfo) -> Self:
        if is_stored(info):
            return self
        if self.end < self.start:
            raise field_error(("end",), "Das Ende darf nicht vor dem Beginn liegen.", self.end)
        if self.end - self.start > LONGEST_PERIOD:
            raise field_error(
                ("end",), "Der Zeitraum darf höchstens zwei Jahre umfassen.", self.end
            )
        return self

    @property
    def days(self) -> int:
        """Calendar days, first and last included (what a fee per day counts)."""
        return (self.end - self.start).days + 1


class SepaMandate(FormModel):
    """A SEPA direct-debit mandate for the town's claims."""

    model_config = ConfigDict(title="SEPA-Lastschriftmandat")

    account_holder: SingleLine = Field(title="Kontoinhaber/in", max_length=70)
    iban: Iban = Field(title="IBAN")
    bic: Bic | None = Field(
        default=None, title="BIC (freiwillig; bei einer deutschen IBAN nicht nötig)"
    )
    mandate_granted: Literal[True] = Field(
        title=(
            "Ich ermächtige die Gemeinde, fällige Beträge von diesem Konto mittels Lastschrift"
            " einzuziehen, und weise mein Kreditinstitut an, die Lastschriften einzulösen."
        )
    )
