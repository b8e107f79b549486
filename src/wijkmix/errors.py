"""Exception hierarchy of wijkmix.

Every input error has the same shape: *what* is wrong, *where* (file, row and
column, or the field of a plan or the parameter of a function), what was
*expected*, what was *found*, and a *hint*. The message is built in one place
(:meth:`InputError.__str__`) so that every bad-input message reads alike::

    income: invalid value in households.csv, row 17, column 'income':
    expected a non-negative number, found 'abc'. Hint: use a point or a
    decimal comma, without thousands separators.

Row numbers are 1-based data rows: row 1 is the first row after the header,
as a spreadsheet user counts them when the header is row 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "InputError",
    "InputErrors",
    "Location",
    "SchemaVersionError",
    "StoreError",
    "WijkmixError",
]


@dataclass(frozen=True)
class Location:
    """Where a problem was found.

    Parameters
    ----------
    file : str, optional
        File name (or table name) the value came from.
    row : int, optional
        1-based data row (the first row after the header is row 1).
    column : str, optional
        Column name in the file.
    field : str, optional
        Dotted field of a plan or scenario (``measures[2].year``) or the name
        of a function parameter (``counts``).
    """

    file: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(str(self.file))
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts) if parts else "input"


class WijkmixError(Exception):
    """Base class of every error raised on purpose by wijkmix."""


class InputError(WijkmixError, ValueError):
    """Bad input: a file, a plan field or a function argument.

    Parameters
    ----------
    what : str
        Short description of the problem (``"invalid value"``).
    where : Location or str, optional
        Where the problem is; a string is taken as a field name.
    expected : str
        What was expected.
    found : object
        What was found; shown with ``repr`` for strings.
    hint : str, optional
        How to fix it.
    """

    def __init__(
        self,
        what: str,
        *,
        where: Location | str | None = None,
        expected: str,
        found: object,
        hint: str | None = None,
    ) -> None:
        self.what = what
        self.where = Location(field=where) if isinstance(where, str) else (where or Location())
        self.expected = expected
        self.found = found
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        found = repr(self.found) if isinstance(self.found, str) else str(self.found)
        msg = f"{self.what} in {self.where}: expected {self.expected}, found {found}."
        if self.hint:
            msg += f" Hint: {self.hint}"
        return msg


class InputErrors(InputError):
    """Several input errors found in one pass (for example one file import).

    The message lists the first ``shown`` violations and the total count.

    Parameters
    ----------
    errors : sequence of InputError
        The violations, in file order. Must not be empty.
    source : str
        What was being read (a file name).
    truncated : bool, default False
        True when checking stopped at a limit, so more violations may exist.
    shown : int, default 20
        How many violations the message lists.
    """

    def __init__(
        self,
        errors: Sequence[InputError],
        *,
        source: str,
        truncated: bool = False,
        shown: int = 20,
    ) -> None:
        if not errors:
            raise ValueError("InputErrors needs at least one error")
        self.errors: tuple[InputError, ...] = tuple(errors)
        self.source = source
        self.truncated = truncated
        self.shown = shown
        first = self.errors[0]
        WijkmixError.__init__(self, str(self))
        self.what = first.what
        self.where = first.where
        self.expected = first.expected
        self.found = first.found
        self.hint = first.hint

    def __str__(self) -> str:
        n = len(self.errors)
        more = " or more (checking stopped at the limit)" if self.truncated else ""
        head = f"{n} problem{'s' if n != 1 else ''}{more} in {self.source}; nothing was imported:"
        lines = [head] + [f"  - {e}" for e in self.errors[: self.shown]]
        if n > self.shown:
            lines.append(f"  ... and {n - self.shown} more")
        return "\n".join(lines)


class StoreError(WijkmixError):
    """A problem with the database (missing, wrong schema, failed transaction)."""


class SchemaVersionError(StoreError):
    """The database was written by an incompatible version of wijkmix."""
