"""Why a bank statement file is refused: a code for programs, a German sentence for the clerk.

A refused file books nothing at all. A statement is the bank's record of the account; a file
with one entry the bank cannot have written (a negative amount, a fraction of a cent) is
damaged or forged as a whole, and booking the rest of it would leave the town's books with
part of a statement that no longer adds up to the bank's balances. Every problem found is
reported, each with the entry it was found at, so the clerk can tell the bank exactly what is
wrong in one go.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file: a machine code, a German message, where it was found."""

    code: str
    message: str
    entry: int | None = None
    """The entry's position in its statement (1-based), when the problem is in an entry."""
    statement: str | None = None
    """The statement's id (``Stmt/Id``), when the problem is in a statement."""

    def __str__(self) -> str:
        return self.message


class StatementRefused(ValueError):
    """The file is not a bank statement the billing service can read; nothing was imported.

    ``code`` and ``message`` are the first problem's (for a single 422 answer);
    ``problems`` lists every problem found.
    """

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        if not problems:
            raise ValueError("a refusal needs at least one problem")
        self.problems = tuple(problems)
        first = self.problems[0]
        self.code = first.code
        self.message = first.message
        super().__init__(first.message)

    @classmethod
    def because(cls, code: str, message: str) -> StatementRefused:
        """A refusal of the whole file for one reason."""
        return cls([Problem(code, message)])


class Unreadable(ValueError):
    """One value of an entry cannot be read (an amount, a date, a required element).

    Raised while an entry is read and turned into that entry's ``Problem``.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
