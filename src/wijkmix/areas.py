"""Area codes and the level hierarchy.

CBS codes are strings: ``GM`` + 4 characters (gemeente), ``WK`` + 6
(wijk: the 4 of the gemeente + 2), ``BU`` + 8 (buurt: the 6 of the wijk + 2).
CBS pads codes with spaces in its CSV files; :func:`parse_code` strips them.
The parts after the gemeente may contain letters (Amsterdam since 2023), so a
code is never parsed as an integer.

Levels, finest to coarsest: ``adres``, ``portiek``, ``complex``, ``straat``,
``buurt``, ``wijk``, ``gemeente``, ``regio``. Every unit has exactly one parent
at the next coarser level that is present in a hierarchy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from wijkmix.errors import InputError, Location

__all__ = [
    "CBS_LEVELS",
    "LEVELS",
    "AreaCode",
    "Hierarchy",
    "Level",
    "level_rank",
    "parent_code",
    "parse_code",
]

Level = Literal["adres", "portiek", "complex", "straat", "buurt", "wijk", "gemeente", "regio"]

#: Levels from finest to coarsest.
LEVELS: tuple[Level, ...] = (
    "adres",
    "portiek",
    "complex",
    "straat",
    "buurt",
    "wijk",
    "gemeente",
    "regio",
)
#: The levels that carry CBS codes.
CBS_LEVELS: tuple[Level, ...] = ("buurt", "wijk", "gemeente")

_PREFIX: dict[str, tuple[Level, int]] = {
    "GM": ("gemeente", 4),
    "WK": ("wijk", 6),
    "BU": ("buurt", 8),
}
_BODY = re.compile(r"^[0-9]{4}[0-9A-Z]*$")


def level_rank(level: str) -> int:
    """Return the position of ``level`` in :data:`LEVELS` (0 = finest).

    Raises
    ------
    InputError
        If ``level`` is not a known level.
    """
    try:
        return LEVELS.index(level)
    except ValueError:
        raise InputError(
            "unknown level",
            where="level",
            expected="one of " + ", ".join(LEVELS),
            found=level,
        ) from None


@dataclass(frozen=True, order=True)
class AreaCode:
    """A validated CBS area code such as ``BU05180170``.

    Use :func:`parse_code` to make one from text.
    """

    code: str

    @property
    def level(self) -> Level:
        """The level of the code: ``gemeente``, ``wijk`` or ``buurt``."""
        return _PREFIX[self.code[:2]][0]

    @property
    def gemeente(self) -> str:
        """The code of the gemeente the area lies in (``GM0518``)."""
        return "GM" + self.code[2:6]

    @property
    def parent(self) -> str | None:
        """The code of the parent area, or None for a gemeente."""
        return parent_code(self.code)

    def __str__(self) -> str:
        return self.code


def parse_code(
    text: object,
    *,
    level: Level | None = None,
    where: Location | None = None,
) -> AreaCode:
    """Parse and validate a CBS area code.

    Parameters
    ----------
    text : object
        The code as read from a file; surrounding spaces (CBS padding) are
        stripped and letters are upper-cased.
    level : {'gemeente', 'wijk', 'buurt'}, optional
        Require this level.
    where : Location, optional
        Where the code was read, for the error message.

    Returns
    -------
    AreaCode

    Raises
    ------
    InputError
        If the text is not a CBS code (of the required level).

    Examples
    --------
    >>> parse_code("GM0518    ")
    AreaCode(code='GM0518')
    >>> parse_code("BU0363AF01").level
    'buurt'
    """
    loc = where or Location(field="code")
    if not isinstance(text, str):
        raise InputError(
            "invalid area code",
            where=loc,
            expected="a CBS code as text (GM+4, WK+6 or BU+8 characters)",
            found=text,
            hint="read codes as strings; never as numbers",
        )
    code = text.strip().upper()
    prefix = code[:2]
    if prefix not in _PREFIX:
        raise InputError(
            "invalid area code",
            where=loc,
            expected="a code starting with GM, WK or BU",
            found=text,
        )
    lvl, n = _PREFIX[prefix]
    body = code[2:]
    if len(body) != n or not _BODY.match(body):
        raise InputError(
            "invalid area code",
            where=loc,
            expected=f"{prefix} followed by {n} characters (4 digits, then digits or letters)",
            found=text,
        )
    if level is not None and lvl != level:
        raise InputError(
            "area code of the wrong level",
            where=loc,
            expected=f"a {level} code",
            found=text,
        )
    return AreaCode(code)


def parent_code(code: str) -> str | None:
    """Return the CBS parent code: buurt → wijk → gemeente → None.

    >>> parent_code("BU05180170")
    'WK051801'
    >>> parent_code("WK051801")
    'GM0518'
    """
    c = parse_code(code).code
    if c.startswith("BU"):
        return "WK" + c[2:8]
    if c.startswith("WK"):
        return "GM" + c[2:6]
    return None


@dataclass(frozen=True)
class Hierarchy:
    """A validated area hierarchy: every unit has exactly one parent.

    Build one with :meth:`from_frame` or :meth:`from_cbs_codes`.

    Attributes
    ----------
    table : pandas.DataFrame
        Columns ``code``, ``level``, ``parent`` (None at the top level), sorted by
        level rank (coarse first) and code.
    """

    table: pd.DataFrame

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, source: str = "hierarchy") -> Hierarchy:
        """Validate a frame with columns ``code``, ``level``, ``parent``.

        Raises
        ------
        InputError
            If a code occurs twice, a level is unknown, a parent is missing
            from the table, or a parent is not exactly one level coarser among
            the levels present.
        """
        for col in ("code", "level", "parent"):
            if col not in frame.columns:
                raise InputError(
                    "missing column",
                    where=Location(file=source, column=col),
                    expected="columns code, level, parent",
                    found=list(frame.columns),
                )
        t = frame[["code", "level", "parent"]].reset_index(drop=True)
        dup = t["code"].duplicated(keep=False)
        if dup.any():
            i = int(dup.to_numpy().nonzero()[0][1])
            raise InputError(
                "area code occurs twice (a unit must have exactly one parent)",
                where=Location(file=source, row=i + 1, column="code"),
                expected="unique codes",
                found=t.at[i, "code"],
            )
        for i, lvl in enumerate(t["level"]):
            if lvl not in LEVELS:
                raise InputError(
                    "unknown level",
                    where=Location(file=source, row=i + 1, column="level"),
                    expected="one of " + ", ".join(LEVELS),
                    found=lvl,
                )
        present = sorted(set(t["level"]), key=LEVELS.index)
        next_up = {present[k]: present[k + 1] for k in range(len(present) - 1)}
        level_of = dict(zip(t["code"], t["level"], strict=True))
        top = present[-1]
        for i, (code, lvl, parent) in enumerate(t.itertuples(index=False, name=None)):
            if lvl == top:
                # the top level may name a parent outside the table (a regio)
                continue
            if parent is None or (not isinstance(parent, str) and pd.isna(parent)):
                raise InputError(
                    "unit without parent",
                    where=Location(file=source, row=i + 1, column="parent"),
                    expected=f"the code of a {next_up[lvl]}",
                    found="nothing",
                )
            plevel = level_of.get(parent)
            if plevel is None:
                raise InputError(
                    "parent not in the hierarchy",
                    where=Location(file=source, row=i + 1, column="parent"),
                    expected=f"a {next_up[lvl]} code listed in the table",
                    found=parent,
                )
            if plevel != next_up[lvl]:
                raise InputError(
                    "parent at the wrong level",
                    where=Location(file=source, row=i + 1, column="parent"),
                    expected=f"a {next_up[lvl]} as parent of {code} ({lvl})",
                    found=f"{parent} ({plevel})",
                )
        rank = t["level"].map(LEVELS.index)
        t = t.assign(_r=-rank).sort_values(["_r", "code"]).drop(columns="_r").reset_index(drop=True)
        return cls(t)

    @classmethod
    def from_cbs_codes(cls, codes: Iterable[str], *, source: str = "codes") -> Hierarchy:
        """Build the CBS hierarchy (buurt → wijk → gemeente) from codes.

        Parents are derived from the codes themselves; a buurt whose wijk is
        not listed raises an error.
        """
        rows = []
        for c in codes:
            ac = parse_code(c)
            rows.append((ac.code, ac.level, ac.parent))
        frame = pd.DataFrame(rows, columns=["code", "level", "parent"], dtype=object)
        if len(frame):
            top = max(frame["level"], key=LEVELS.index)
            frame.loc[frame["level"] == top, "parent"] = None
        return cls.from_frame(frame, source=source)

    def levels(self) -> list[str]:
        """The levels present, finest first."""
        return sorted(set(self.table["level"]), key=LEVELS.index)

    def codes(self, level: str) -> list[str]:
        """The codes at ``level``, sorted."""
        level_rank(level)
        return sorted(self.table.loc[self.table["level"] == level, "code"])

    def parents(self) -> Mapping[str, str | None]:
        """Mapping from code to parent code."""
        return dict(zip(self.table["code"], self.table["parent"], strict=True))
