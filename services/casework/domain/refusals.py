"""Why a command on a case is refused: a code for programs, a German sentence for the clerk.

A conflict (the case is claimed by someone else, already decided, changed meanwhile) is a 409;
input the command cannot take (a rejection without reasons, a fee outside its range) a 422
naming the field.
"""

from __future__ import annotations


class Refused(Exception):
    """The case's state or the command's content does not allow it; nothing was changed."""

    def __init__(
        self, code: str, message: str, *, conflict: bool = True, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.conflict = conflict
        self.field = field

    @classmethod
    def invalid(cls, code: str, message: str, field: str) -> Refused:
        """Input the command cannot take (a 422 at ``field``)."""
        return cls(code, message, conflict=False, field=field)
