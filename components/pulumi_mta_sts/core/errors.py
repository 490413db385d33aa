"""Structured problems with user input.

Every validator in this package reports what is wrong as :class:`Problem` values (the field,
the offending value and a reason that says how to fix it) instead of raising bare exceptions.
Callers that must stop raise :class:`InputError`, which carries the whole list so that a user
sees every mistake at once, one line each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["InputError", "Problem"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input.

    ``field`` names the input (a policy key, a config key such as ``mta-sts:policy.max_age``,
    a record field); ``value`` is what was given (``None`` when it was missing); ``reason``
    is a sentence that describes the problem and, where there is one, the fix.
    """

    field: str
    value: object
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"

    def under(self, prefix: str) -> Problem:
        """The same problem with ``field`` placed under ``prefix`` (``prefix.field``)."""
        sep = "" if not self.field or self.field.startswith("[") else "."
        return Problem(f"{prefix}{sep}{self.field}" if self.field else prefix, self.value, self.reason)

    def as_dict(self) -> dict[str, object]:
        return {"field": self.field, "value": self.value, "reason": self.reason}


class InputError(ValueError):
    """Raised when user input is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
