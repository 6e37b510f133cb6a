"""Events of billing: fee schedules, the fees assessed on decided cases, their notices, the
payments booked to them and the money that awaits a clerk's clarification."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import PERSONAL, REGISTRY, DomainEvent
from contracts.envelope import Ags
from contracts.events.casework import DocumentRef
from contracts.fee_schedules import DogTaxStatute, FeeLine, ScheduleVersion, TownAccount


class FeeScheduleAdopted(DomainEvent):
    """A town's fee schedule (Verwaltungskostensatzung) as it now applies."""

    type_name: ClassVar[str] = "billing.FeeScheduleAdopted"
    aggregate_type: ClassVar[str] = "fee-schedule"

    town: Ags
    fees: dict[str, Decimal] = Field(
        description="Flat fee in EUR per procedure id, of the version in force when adopted"
    )
    versions: list[ScheduleVersion] = Field(
        default_factory=list,
        description="The Verwaltungskostensatzung's versions, each valid from its day until"
        " the next; the one in force on the day of a decision prices it (empty: only the"
        " flat fees of older records)",
    )
    dog_tax: list[DogTaxStatute] = Field(
        default_factory=list,
        description="The Hundesteuersatzung's versions (empty: none recorded)",
    )
    account: TownAccount | None = Field(
        default=None, description="Where the town's fees are paid (none: no fee notices)"
    )


class FeeAssessed(DomainEvent):
    """A fee is owed for a decided case."""

    type_name: ClassVar[str] = "billing.FeeAssessed"
    aggregate_type: ClassVar[str] = "fee"

    case_id: UUID
    procedure: str
    amount: Decimal = Field(ge=0, decimal_places=2)
    currency: str = "EUR"
    cash_reference: str = Field(description="Kassenzeichen")
    due_date: date
    assessed_at: datetime
    lines: list[FeeLine] = Field(
        default_factory=list,
        description="How the amount is made up; their subtotals add up to it before the"
        " one rounding, half up, to the cent (empty in older records)",
    )
    legal_basis: str | None = Field(default=None, description="Statute and tariff, German")
    schedule_valid_from: date | None = Field(
        default=None, description="The schedule version that priced the case"
    )
    produkt: str | None = Field(default=None, description="For the town's finance software")
    sachkonto: str | None = Field(default=None, description="For the town's finance software")


class NoFeeDue(DomainEvent):
    """A decided case costs nothing; the reason says why."""

    type_name: ClassVar[str] = "billing.NoFeeDue"
    aggregate_type: ClassVar[str] = "fee"

    case_id: UUID
    reason: str
    assessed_at: datetime
    rule: str | None = Field(
        default=None, description="The rule that found no fee assessable, where one did"
    )


class FeeNoticeIssued(DomainEvent):
    """The fee notice (Gebührenbescheid, PDF/A with GiroCode) is written and stored sealed.

    notify mails it to the applicant; the document is sealed with the case's data key, so
    erasing the key makes it unreadable. A business that asked for it gets the fee as an
    XRechnung beside the notice (``xrechnung``, sealed alike), checked as incoming invoices
    are; it is an invoice, not a Bescheid.
    """

    type_name: ClassVar[str] = "billing.FeeNoticeIssued"
    version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "fee"

    case_id: UUID
    procedure: str
    document: DocumentRef
    cash_reference: str = Field(description="Kassenzeichen, the remittance to quote")
    amount: Decimal = Field(gt=0, decimal_places=2)
    currency: str = "EUR"
    due_date: date
    payee: str = Field(description="Account holder the fee is paid to")
    iban: str = Field(description="The town's IBAN, compact")
    bic: str
    issued_at: datetime
    replaces_notice_of: date | None = Field(
        default=None,
        description="An amended notice: the day of the notice it replaces (None: the first)",
    )
    xrechnung: DocumentRef | None = Field(
        default=None,
        description="The fee as an XRechnung (UBL 2.1, application/xml), where the business"
        " asked for one in its application (None: not asked for)",
    )
    xrechnung_email: Annotated[str | None, PERSONAL] = Field(
        default=None, description="Where the business wants the XRechnung sent"
    )


REGISTRY.added_fields("billing.FeeNoticeIssued", 1)  # v2: the XRechnung beside the notice


class FeeNoticeCancelled(DomainEvent):
    """The town's treasury cancelled (hob auf) a fee notice: the fee falls to nothing.

    ``correction`` (the fee, negative) lowers the claim; what was paid is owed back (the claim
    shows a credit, listed as a refund due). Reminder fees and late-payment surcharges already
    incurred stay (§ 240 (1) sentence 4 AO).
    """

    type_name: ClassVar[str] = "billing.FeeNoticeCancelled"
    aggregate_type: ClassVar[str] = "fee"

    case_id: UUID
    cash_reference: str
    number: int = Field(ge=1, description="The claim's correction, counted from 1")
    correction: Decimal = Field(le=0, decimal_places=2, description="Lowers the claim")
    reason: str = Field(description="Why, German")
    produkt: str | None = None
    sachkonto: str | None = None
    cancelled_by: str = Field(description="The clerk's subject at the issuer")
    cancelled_by_name: str
    cancelled_at: datetime


class FeeAmended(DomainEvent):
    """The town's treasury set a fee anew: a new notice replaces the one of ``replaces_notice_of``.

    ``correction`` (``amount`` less the fee before, negative for a reduction) moves the claim;
    the new notice's due date is ``due_date``. Reminder fees and surcharges already incurred
    stay (§ 240 (1) sentence 4 AO).
    """

    type_name: ClassVar[str] = "billing.FeeAmended"
    aggregate_type: ClassVar[str] = "fee"

    case_id: UUID
    cash_reference: str
    number: int = Field(ge=1, description="The claim's correction, counted from 1")
    previous_amount: Decimal = Field(ge=0, decimal_places=2)
    amount: Decimal = Field(gt=0, decimal_places=2, description="The fee from now on")
    correction: Decimal = Field(decimal_places=2, description="amount - previous_amount")
    due_date: date
    replaces_notice_of: date | None = Field(
        default=None, description="The day of the notice replaced (None: none was issued)"
    )
    reason: str = Field(description="Why, German")
    produkt: str | None = None
    sachkonto: str | None = None
    amended_by: str
    amended_by_name: str
    amended_at: datetime


class PaymentBooked(DomainEvent):
    """Money booked to a fee's claim: a payment, or (amount negative) a payment taken back.

    The claim's open amount is the fee less the sum of its bookings, folded from this log;
    every booking names where the money came from, so each cent can be traced to a
    statement entry or a payment provider's confirmation.
    """

    type_name: ClassVar[str] = "billing.PaymentBooked"
    aggregate_type: ClassVar[str] = "fee"

    case_id: UUID
    cash_reference: str = Field(description="Kassenzeichen of the claim")
    booking_id: str = Field(description="Stable per payment and claim: a repeat books nothing")
    kind: Literal["payment", "reversal"]
    amount: Decimal = Field(decimal_places=2, description="Signed: a reversal is negative")
    currency: str = "EUR"
    channel: Literal["bank_statement", "online", "clarification"]
    matched_by: Literal["kassenzeichen", "amount", "clerk", "provider"]
    booked_at: datetime
    value_date: date | None = None
    booking_date: date | None = None
    account_iban: str | None = Field(default=None, description="The town's account credited")
    statement_id: str | None = None
    entry: int | None = Field(default=None, description="Entry's position in its statement")
    bank_reference: str | None = None
    end_to_end_id: str | None = None
    provider_reference: str | None = Field(
        default=None, description="The online payment's id at its provider"
    )
    booked_by: str | None = Field(default=None, description="The clerk who assigned it by hand")


class OnlinePaymentStarted(DomainEvent):
    """A citizen set out to pay a claim online: the town's payment provider took the order.

    The citizen was sent to the provider's page; the provider's signed confirmation books the
    money (``PaymentBooked`` on the fee, channel ``online``, booking id
    ``online:{provider}:{provider_reference}``) or ends the payment (``OnlinePaymentFailed``).
    """

    type_name: ClassVar[str] = "billing.OnlinePaymentStarted"
    aggregate_type: ClassVar[str] = "online-payment"

    payment_id: UUID
    case_id: UUID
    cash_reference: str = Field(description="Kassenzeichen of the claim")
    amount: Decimal = Field(gt=0, decimal_places=2, description="The claim's open amount")
    currency: str = "EUR"
    provider: str = Field(description="The town's payment provider, as its member file names it")
    provider_reference: str = Field(description="The payment's id at its provider")
    started_at: datetime


class OnlinePaymentFailed(DomainEvent):
    """An online payment ended without money: the citizen cancelled, or the provider refused."""

    type_name: ClassVar[str] = "billing.OnlinePaymentFailed"
    aggregate_type: ClassVar[str] = "online-payment"

    payment_id: UUID
    case_id: UUID
    cash_reference: str
    provider: str
    provider_reference: str
    outcome: Literal["failed", "cancelled"]
    ended_at: datetime


class PaymentAwaitingClarification(DomainEvent):
    """Money on a town's account that no claim could take: a clerk of the town assigns it.

    The payer's name, IBAN and remittance text stay out of the log: they are the payer's
    personal data, kept with the statement's record in billing's own database for the clerk
    (and deleted with it), while the log keeps what explains the money: amount, account,
    statement, entry and the bank's reference.
    """

    type_name: ClassVar[str] = "billing.PaymentAwaitingClarification"
    aggregate_type: ClassVar[str] = "clarification"

    item_id: str
    town: Ags
    amount: Decimal = Field(decimal_places=2, description="Signed, like a booking")
    currency: str = "EUR"
    code: str = Field(description="Why: no_reference, unknown_reference, overpayment, …")
    reason: str = Field(description="Why, in German, for the clerk")
    candidates: list[str] = Field(
        default_factory=list, description="Kassenzeichen found or considered"
    )
    account_iban: str
    statement_id: str
    entry: int
    bank_reference: str | None = None
    end_to_end_id: str | None = None
    booking_date: date | None = None
    value_date: date | None = None
    received_at: datetime


class ClarificationResolved(DomainEvent):
    """A clerk of the town decided where money awaiting clarification belongs.

    ``assigned``: booked to the claim named (a ``PaymentBooked`` on that fee follows);
    ``refund``: to be paid back to the payer; ``not_ours``: the town's other accounts.
    """

    type_name: ClassVar[str] = "billing.ClarificationResolved"
    aggregate_type: ClassVar[str] = "clarification"

    item_id: str
    town: Ags
    resolution: Literal["assigned", "refund", "not_ours"]
    cash_reference: str | None = None
    note: str = Field(default="", description="The clerk's reason, German")
    resolved_by: str = Field(description="The clerk's subject at the issuer")
    resolved_by_name: str
    resolved_at: datetime


class StatementImported(DomainEvent):
    """A bank's statement file was read and reconciled; its counts, for the treasury's record."""

    type_name: ClassVar[str] = "billing.StatementImported"
    aggregate_type: ClassVar[str] = "statement-import"

    checksum: str = Field(description="SHA-256 of the file as received")
    file_name: str | None = None
    statements: list[str] = Field(description="The statements' ids in the file")
    towns: list[Ags]
    bookings: int
    booked_total: Decimal = Field(decimal_places=2)
    clarifications: int
    clarified_total: Decimal = Field(decimal_places=2)
    skipped: int
    duplicates: int = Field(description="Entries already imported before (booked nothing)")
    imported_by: str
    imported_at: datetime


class FinanceEntry(BaseModel):
    """One line of a day's export: a claim raised (``soll``) or money received (``ist``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["soll", "ist"]
    entry_id: str = Field(description="Kassenzeichen (soll) or booking id (ist)")
    amount: Decimal = Field(decimal_places=2)


class FinanceAccountTotal(BaseModel):
    """A day's totals on one Produkt and Sachkonto of the town's budget."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    produkt: str
    sachkonto: str
    soll: Decimal = Field(decimal_places=2)
    ist: Decimal = Field(decimal_places=2)


class FinanceDayClosed(DomainEvent):
    """A town's day for its finance software: every claim raised and payment booked that billing
    recorded by the day's end and no earlier day took, listed, with totals.

    What reaches billing late (recorded before midnight, arrived after the day was closed)
    goes into the next day that closes, with its own date: no entry is in two days, none in
    none, and the days' totals add up to the log's.
    """

    type_name: ClassVar[str] = "billing.FinanceDayClosed"
    aggregate_type: ClassVar[str] = "finance-day"

    town: Ags
    day: date
    entries: list[FinanceEntry]
    soll_total: Decimal = Field(decimal_places=2)
    ist_total: Decimal = Field(decimal_places=2)
    accounts: list[FinanceAccountTotal]
    closed_at: datetime


class ReminderIssued(DomainEvent):
    """A claim still open after its due date and the grace period: the payer is reminded
    (Mahnung), once, and the reminder fee the town's schedule names raises the claim.

    Carries what the reminder letter says — the open amount, the fee, the new due date and the
    town's account — so notify can write it from the event alone.
    """

    type_name: ClassVar[str] = "billing.ReminderIssued"
    aggregate_type: ClassVar[str] = "fee"

    case_id: UUID
    procedure: str
    cash_reference: str = Field(description="Kassenzeichen, the remittance to quote")
    open_amount: Decimal = Field(
        gt=0, decimal_places=2, description="Owed before the reminder fee (surcharges included)"
    )
    reminder_fee: Decimal = Field(
        ge=0, decimal_places=2, description="Mahngebühr, raises the claim"
    )
    amount_due: Decimal = Field(gt=0, decimal_places=2, description="open_amount + reminder_fee")
    currency: str = "EUR"
    original_due_date: date
    due_date: date = Field(description="Pay by this day, or the claim goes to enforcement")
    payee: str | None = Field(default=None, description="Account holder (None: no account)")
    iban: str | None = None
    bic: str | None = None
    produkt: str | None = Field(default=None, description="For the town's finance software")
    sachkonto: str | None = Field(default=None, description="For the town's finance software")
    schedule_valid_from: date | None = Field(
        default=None, description="The schedule version that named the fee"
    )
    issued_at: datetime


class LateSurchargeCharged(DomainEvent):
    """A late-payment surcharge (Säumniszuschlag) for one started month of delay raises the
    claim: 1 % of the fee's open part rounded down to a multiple of 50 € (§ 240 AO)."""

    type_name: ClassVar[str] = "billing.LateSurchargeCharged"
    aggregate_type: ClassVar[str] = "fee"

    case_id: UUID
    cash_reference: str
    month: int = Field(ge=1, description="Which started month of delay, from 1")
    base: Decimal = Field(gt=0, decimal_places=2, description="Open fee, rounded down to 50 €")
    amount: Decimal = Field(gt=0, decimal_places=2)
    currency: str = "EUR"
    due_date: date = Field(description="The fee's due date the delay counts from")
    produkt: str | None = None
    sachkonto: str | None = None
    charged_at: datetime


class HandedOverForEnforcement(DomainEvent):
    """A claim still open after its reminder's term: handed to enforcement (Vollstreckung),
    once; it is on the town's enforcement list from now on."""

    type_name: ClassVar[str] = "billing.HandedOverForEnforcement"
    aggregate_type: ClassVar[str] = "fee"

    case_id: UUID
    cash_reference: str
    open_amount: Decimal = Field(gt=0, decimal_places=2, description="Owed when handed over")
    currency: str = "EUR"
    reminded_on: date = Field(description="The day of the reminder")
    reminder_due_date: date
    handed_over_at: datetime


class DogRegistered(DomainEvent):
    """A dog entered in the town's dog-tax register, with its tax tag (Hundesteuermarke).

    Recorded when the registration (``hundesteuer-anmeldung``) is approved. The keeper is
    named by a pseudonym (``keeper_key``) that groups a keeper's dogs; who the keeper is, and
    the account of a direct-debit mandate, stay in the application, sealed with its key.
    """

    type_name: ClassVar[str] = "billing.DogRegistered"
    aggregate_type: ClassVar[str] = "dog"

    dog_id: UUID = Field(description="The registration's case")
    application_id: UUID
    tag_number: str = Field(description="Number of the Hundesteuermarke, per town")
    keeper_key: str = Field(description="Pseudonym of the keeper: the same for all their dogs")
    name: str
    breed: str
    kept_from: date
    dangerous: bool
    exemption: str | None = Field(default=None, description="Key of the statute's exemption")
    direct_debit: bool = Field(description="The keeper gave a SEPA direct-debit mandate")
    registered_at: datetime


class DogDeregistered(DomainEvent):
    """A dog's keeping ended (``hundesteuer-abmeldung`` approved): taxed up to ``kept_until``."""

    type_name: ClassVar[str] = "billing.DogDeregistered"
    aggregate_type: ClassVar[str] = "dog"

    dog_id: UUID
    tag_number: str
    kept_until: date
    reason: str
    deregistration_case_id: UUID
    deregistered_at: datetime


class Instalment(BaseModel):
    """An amount of an annual tax due on a day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    due: date
    amount: Decimal = Field(gt=0, decimal_places=2)


class DogTaxAssessed(FeeAssessed):
    """A keeper's dog tax for a year, one claim for all their dogs, in instalments.

    A ``FeeAssessed`` in every respect billing's ledger cares about (claim, bookings, finance
    export, reminders read it as one), on a fee aggregate of its own (``case_id`` is derived
    from town, keeper and year); a type of its own, so that the services that follow *cases*
    (archive, intake's tracking) never take it for one. ``due_date`` is the first instalment's.
    """

    type_name: ClassVar[str] = "billing.DogTaxAssessed"

    year: int = Field(ge=2000, le=2100)
    keeper_key: str
    dogs: list[UUID] = Field(description="The register's dogs taxed")
    instalments: list[Instalment] = Field(min_length=1)
    direct_debit: bool = Field(description="Collected by SEPA direct debit (pain.008)")
    mandate_reference: str | None = Field(
        default=None, description="The mandate's reference (direct debit only)"
    )


class DogTaxNoticeIssued(DomainEvent):
    """A keeper's dog-tax notice (Hundesteuerbescheid, PDF/A) for a year is written and stored
    sealed with the key of the keeper's first registration.

    An event of its own rather than a ``FeeNoticeIssued``: the claim it announces is due in
    instalments, and its addressee is found by the registration, not by a case. notify mails it
    to the registration's contact with the PDF attached.
    """

    type_name: ClassVar[str] = "billing.DogTaxNoticeIssued"
    aggregate_type: ClassVar[str] = "fee"

    case_id: UUID = Field(description="The claim (``DogTaxAssessed.case_id``)")
    registration_id: UUID = Field(
        description="The keeper's first registration (its application): whom notify writes to"
    )
    year: int = Field(ge=2000, le=2100)
    document: DocumentRef
    cash_reference: str = Field(description="Kassenzeichen, the remittance to quote")
    amount: Decimal = Field(gt=0, decimal_places=2, description="The year's tax")
    currency: str = "EUR"
    instalments: list[Instalment] = Field(min_length=1)
    direct_debit: bool = Field(description="Collected by SEPA direct debit: nothing to transfer")
    mandate_reference: str | None = None
    payee: str = Field(description="Account holder the tax is paid to")
    iban: str = Field(description="The town's IBAN, compact")
    bic: str
    issued_at: datetime


class DirectDebit(BaseModel):
    """One collection in a direct-debit file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cash_reference: str
    amount: Decimal = Field(gt=0, decimal_places=2)
    mandate_reference: str


class DirectDebitFileCreated(DomainEvent):
    """The town's SEPA direct-debit file (pain.008) for a due day was made, once.

    The money is booked when the bank credits it (the statement's entries quote the
    Kassenzeichen); a debit the payer's bank returns comes back as a reversal.
    """

    type_name: ClassVar[str] = "billing.DirectDebitFileCreated"
    aggregate_type: ClassVar[str] = "direct-debit-file"

    town: Ags
    due: date
    collection_date: date
    message_id: str
    debits: list[DirectDebit]
    total: Decimal = Field(decimal_places=2)
    checksum: str = Field(description="SHA-256 of the file as handed to the treasury")
    created_by: str
    created_at: datetime
