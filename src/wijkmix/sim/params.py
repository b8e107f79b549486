"""The parameters of every simulation step, composed into one object.

Each step module owns its parameter class (with documented Dutch defaults and a
source per value); :class:`SimParams` only composes them, so that every step
function receives the whole set and reads its own part (``params.moves``).

A scenario file sets parameters in ``[params.<step>]`` tables::

    [params.moves]
    base_rate = 0.09

Unknown steps and unknown keys are input errors naming the dotted field
(``params.movse``, ``params.moves.base_rat``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

from wijkmix.errors import InputError, Location
from wijkmix.sim.demography import DemographyParams
from wijkmix.sim.events import EventParams
from wijkmix.sim.market import MarketParams
from wijkmix.sim.moves import MoveParams

__all__ = ["STEPS", "SimParams", "to_plain"]

#: The parameter tables a scenario may hold, in the order of the simulated year.
STEPS: tuple[str, ...] = ("events", "demography", "moves", "market")


@dataclass(frozen=True)
class SimParams:
    """The parameters of the four parametrised steps of a simulated year.

    Parameters
    ----------
    events : EventParams
        Plan events (demolition, completion, sale, renovation …).
    demography : DemographyParams
        Ageing, formation and dissolution of households, income transitions.
    moves : MoveParams
        Move decisions, external inflow and outflow.
    market : MarketParams
        Owner-occupied and private rent choice.

    Examples
    --------
    >>> p = SimParams.default()
    >>> SimParams.from_dict({}) == p
    True
    """

    events: EventParams = field(default_factory=EventParams)
    demography: DemographyParams = field(default_factory=DemographyParams)
    moves: MoveParams = field(default_factory=MoveParams)
    market: MarketParams = field(default_factory=MarketParams)

    @classmethod
    def default(cls) -> SimParams:
        """The documented defaults of every step."""
        return cls(
            events=EventParams(),
            demography=DemographyParams(),
            moves=MoveParams(),
            market=MarketParams(),
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, field: str = "params") -> SimParams:
        """Parameters from a ``[params]`` table of a scenario.

        Parameters
        ----------
        d : Mapping
            ``{step: {key: value}}``; a missing step keeps its defaults.
        field : str, default "params"
            Dotted name of the table, for error messages.

        Raises
        ------
        InputError
            If ``d`` or one of its values is not a table, if a step is unknown
            (``where`` = ``params.<name>``), or if a step rejects a key or value.
        """
        if not isinstance(d, Mapping):
            raise InputError(
                "parameters are not a table",
                where=Location(field=field),
                expected="a table [params] with sub-tables " + ", ".join(STEPS),
                found=type(d).__name__,
            )
        for name in d:
            if name not in STEPS:
                raise InputError(
                    "unknown parameter table",
                    where=Location(field=f"{field}.{name}"),
                    expected="one of " + ", ".join(f"{field}.{s}" for s in STEPS),
                    found=name,
                )
            if not isinstance(d[name], Mapping):
                raise InputError(
                    "parameters are not a table",
                    where=Location(field=f"{field}.{name}"),
                    expected=f"a table [{field}.{name}] of key = value",
                    found=type(d[name]).__name__,
                )
        default = cls.default()
        return cls(
            events=EventParams.from_dict(d["events"], field=f"{field}.events")
            if "events" in d
            else default.events,
            demography=DemographyParams.from_dict(d["demography"], field=f"{field}.demography")
            if "demography" in d
            else default.demography,
            moves=MoveParams.from_dict(d["moves"], field=f"{field}.moves")
            if "moves" in d
            else default.moves,
            market=MarketParams.from_dict(d["market"], field=f"{field}.market")
            if "market" in d
            else default.market,
        )

    def to_dict(self) -> dict[str, Any]:
        """Every parameter as plain JSON-ready values (for provenance)."""
        return {name: to_plain(getattr(self, name)) for name in STEPS}


def to_plain(value: object) -> Any:
    """A dataclass, mapping, sequence, enum or numpy value as plain JSON values.

    Non-finite floats become None (JSON has no NaN).

    Examples
    --------
    >>> to_plain({"a": (1, 2.0), "b": np.int16(3), "c": float("nan")})
    {'a': [1, 2.0], 'b': 3, 'c': None}
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.name.lower()
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [to_plain(v) for v in value.tolist()]
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [to_plain(v) for v in items]
    if isinstance(value, np.generic):
        return to_plain(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)
