"""A synthetic population calibrated to the KWB marginals of every buurt.

:class:`SyntheticPopulation` stores the settings; :meth:`SyntheticPopulation.generate`
turns a wide KWB frame into dwelling and household registers with the columns
of the store tables ``dwellings`` and ``households`` (without ``source``), a
fit table and notes, returned as an immutable :class:`SynthResult`.

Everything is drawn from the one :class:`numpy.random.Generator` passed in, in
a fixed order, so the same seed gives identical frames.

Codes beneath a buurt ``BU05180170``: streets ``BU05180170-S03``, complexes
``BU05180170-C012``, portieken ``BU05180170-C012-P3`` and dwellings
``BU05180170-C012-P3-7``; households ``GM0518-H0000001``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from wijkmix.errors import InputError, Location
from wijkmix.params.income import income_params
from wijkmix.synth.dwellings import SEGMENTS, dwelling_attributes
from wijkmix.synth.fit import build_fit, summarise_fit
from wijkmix.synth.households import INCOME_SOURCES, FlagRates, generate_households
from wijkmix.synth.layout import build_layout, check_layout_settings
from wijkmix.synth.targets import HOUSEHOLD_TYPES, OWNERS, resolve_targets

__all__ = [
    "DWELLING_COLUMNS",
    "HOUSEHOLD_COLUMNS",
    "SynthResult",
    "SyntheticPopulation",
]

#: Columns of the generated dwellings (store table ``dwellings`` without ``source``).
DWELLING_COLUMNS: tuple[str, ...] = (
    "dwelling_id",
    "regio_code",
    "gemeente_code",
    "wijk_code",
    "buurt_code",
    "straat_code",
    "complex_code",
    "portiek_code",
    "owner",
    "segment",
    "rent",
    "woz_value",
    "rooms",
    "floor_area",
    "build_year",
    "wws_points",
    "status",
)
#: Columns of the generated households (store table ``households`` without ``source``).
HOUSEHOLD_COLUMNS: tuple[str, ...] = (
    "household_id",
    "dwelling_id",
    "size",
    "type",
    "age_head",
    "income",
    "income_source",
    "vulnerable_care",
    "statushouder",
    "urgent",
    "years_in_dwelling",
    "years_in_municipality",
    "crucial_profession",
    "registration_years",
)

_STATUS = ("leeg", "bewoond")


@dataclass(frozen=True)
class SynthResult:
    """A generated population (treat the frames as read-only).

    Attributes
    ----------
    dwellings : pandas.DataFrame
        :data:`DWELLING_COLUMNS`; one row per dwelling, ordered by buurt,
        complex, portiek and number. ``rent`` is set for rented dwellings,
        ``woz_value`` for owner-occupied ones; ``wws_points`` is not modelled
        (missing); ``status`` is ``bewoond`` or ``leeg``.
    households : pandas.DataFrame
        :data:`HOUSEHOLD_COLUMNS`; one row per household, in dwelling order.
    fit : pandas.DataFrame
        Target against generated value per buurt and concept (:mod:`wijkmix.synth.fit`).
    notes : tuple of str
        Dutch sentences on borrowed, derived and adjusted targets.
    year : int
        Year of the KWB and of the dated parameters.
    gemeente_code : str
    seed : int or None
        Entropy of the generator's seed sequence when it is a plain seed that
        fits a signed 64-bit integer (as stored in ``synth_fit.seed``), else None.
    rng_state : Mapping
        The bit generator state at the start of :meth:`SyntheticPopulation.generate`;
        ``rng.bit_generator.state = dict(rng_state)`` reproduces the run.
    """

    dwellings: pd.DataFrame
    households: pd.DataFrame
    fit: pd.DataFrame
    notes: tuple[str, ...]
    year: int
    gemeente_code: str
    seed: int | None
    rng_state: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def fit_summary(self) -> pd.DataFrame:
        """Per concept: buurten, mean absolute error and maximum absolute error.

        See :func:`wijkmix.synth.fit.summarise_fit`.
        """
        return summarise_fit(self.fit)


def _seed_of(rng: np.random.Generator) -> int | None:
    seq = getattr(rng.bit_generator, "seed_seq", None)
    entropy = getattr(seq, "entropy", None)
    spawn_key = getattr(seq, "spawn_key", ())
    if isinstance(entropy, int | np.integer) and not spawn_key and 0 <= int(entropy) < 2**63:
        return int(entropy)
    return None


_LARGE = pa.large_string()


def _series(arr: pa.Array) -> pd.Series:
    """Wrap an arrow array as a pandas ``str`` column (large strings: no copy)."""
    return pd.Series(arr, dtype="str")


def _decode(dictionary: Sequence[str] | pa.Array, indices: npt.ArrayLike) -> pa.Array:
    """Strings ``dictionary[indices]`` as a large-string arrow array."""
    d = (
        dictionary
        if isinstance(dictionary, pa.Array)
        else pa.array([str(x) for x in dictionary], type=_LARGE)
    )
    idx = pa.array(np.asarray(indices, dtype=np.int32))
    return pa.DictionaryArray.from_arrays(idx, d.cast(_LARGE)).cast(_LARGE)


def _join(a: pa.Array | str, b: pa.Array, sep: str) -> pa.Array:
    """Element-wise ``a + sep + b``."""
    left = pa.scalar(a, type=_LARGE) if isinstance(a, str) else a
    return pc.binary_join_element_wise(left, b, pa.scalar(sep, type=_LARGE))


def _numbers(values: npt.ArrayLike, width: int = 0) -> pa.Array:
    """Decimal strings of non-negative integers, zero-padded to ``width``."""
    v = np.asarray(values, dtype=np.int64)
    top = int(v.max()) if len(v) else 0
    if top < 4096:
        table = [str(i).zfill(width) for i in range(top + 1)]
        return _decode(table, v)
    out = pc.cast(pa.array(v), _LARGE)
    return pc.utf8_lpad(out, width=width, padding="0") if width else out


class SyntheticPopulation:
    """Generate dwellings and households that reproduce a gemeente's buurt marginals.

    Parameters
    ----------
    year : int, default 2019
        Year of the KWB table; selects the dated income thresholds and segment
        limits (:func:`wijkmix.params.income.income_params`).
    portiek_size : (int, int), default (4, 12)
        Dwellings per portiek.
    complex_size : (int, int), default (20, 400)
        Dwellings per complex (a buurt with fewer dwellings has one smaller complex).
    complexes_per_street : (int, int), default (2, 6)
        Complexes per street (drawn per buurt).
    mean_complex_size : (float, float, float), default (120, 60, 40)
        Mean complex size for corporatie, particuliere verhuurder and
        eigenaar-bewoner (owner-occupied rows are small).
    mixing : float, default 0.06
        Share of dwellings whose owner is swapped with another dwelling of the
        same buurt (sold corporation flats and the like).
    private_rent_yield : float, default 0.05
        Gross yearly rent of private rental as a share of the WOZ value.
    flag_rates : FlagRates, optional
        Base rates of the household flags per owner.
    fallback : Mapping[str, float], optional
        Values to use when a KWB concept is suppressed for a buurt, its wijk
        and the gemeente (see :func:`wijkmix.synth.targets.resolve_targets`).
    regio_code : str, optional
        Written into ``regio_code`` of every dwelling (None by default).

    Examples
    --------
    >>> import numpy as np
    >>> sp = SyntheticPopulation(2019)
    >>> result = sp.generate(kwb_wide, "GM0518", np.random.default_rng(1))  # doctest: +SKIP
    >>> result.fit_summary()  # doctest: +SKIP
    """

    def __init__(
        self,
        year: int = 2019,
        *,
        portiek_size: tuple[int, int] = (4, 12),
        complex_size: tuple[int, int] = (20, 400),
        complexes_per_street: tuple[int, int] = (2, 6),
        mean_complex_size: tuple[float, float, float] = (120.0, 60.0, 40.0),
        mixing: float = 0.06,
        private_rent_yield: float = 0.05,
        flag_rates: FlagRates | None = None,
        fallback: Mapping[str, float] | None = None,
        regio_code: str | None = None,
    ) -> None:
        self.year = year
        self.portiek_size = portiek_size
        self.complex_size = complex_size
        self.complexes_per_street = complexes_per_street
        self.mean_complex_size = mean_complex_size
        self.mixing = mixing
        self.private_rent_yield = private_rent_yield
        self.flag_rates = flag_rates
        self.fallback = dict(fallback) if fallback is not None else None
        self.regio_code = regio_code

    def __repr__(self) -> str:
        return (
            f"SyntheticPopulation(year={self.year}, portiek_size={self.portiek_size}, "
            f"complex_size={self.complex_size})"
        )

    def generate(
        self, kwb_wide: pd.DataFrame, gemeente: str, rng: np.random.Generator
    ) -> SynthResult:
        """Generate the population of every buurt of ``gemeente``.

        Parameters
        ----------
        kwb_wide : pandas.DataFrame
            Wide KWB frame: ``code``, ``level``, ``parent``, ``gemeente_code`` and
            concept columns, one row per area; NaN = suppressed by CBS.
        gemeente : str
            Gemeente code (``GM0518``) or its name on the gemeente row.
        rng : numpy.random.Generator
            The only source of randomness.

        Returns
        -------
        SynthResult

        Raises
        ------
        InputError
            For invalid settings, a missing column, an unknown gemeente, or a
            needed value suppressed at every level without a fallback.
        """
        params = income_params(self.year)
        check_layout_settings(
            self.complex_size,
            self.portiek_size,
            self.complexes_per_street,
            self.mean_complex_size,
            self.mixing,
        )
        if not (0.0 < self.private_rent_yield < 0.5):
            raise InputError(
                "invalid private rent yield",
                where=Location(field="private_rent_yield"),
                expected="a yearly share of the WOZ value between 0 and 0.5",
                found=self.private_rent_yield,
            )
        if not isinstance(rng, np.random.Generator):
            raise InputError(
                "invalid random generator",
                where=Location(field="rng"),
                expected="a numpy.random.Generator (numpy.random.default_rng(seed))",
                found=type(rng).__name__,
            )
        state = copy.deepcopy(rng.bit_generator.state)
        seed = _seed_of(rng)

        targets = resolve_targets(
            kwb_wide,
            gemeente,
            rng,
            fallback=self.fallback,
            bijstand_persons_per_household=params.bijstand_persons_per_household,
        )
        layout = build_layout(
            targets.tenure,
            rng,
            complex_size=self.complex_size,
            portiek_size=self.portiek_size,
            complexes_per_street=self.complexes_per_street,
            mean_complex_size=self.mean_complex_size,
            mixing=self.mixing,
        )
        attrs = dwelling_attributes(
            layout, targets.avg_woz, params, rng, private_rent_yield=self.private_rent_yield
        )
        hh = generate_households(layout, attrs, targets, params, rng, flag_rates=self.flag_rates)
        notes = list(targets.notes)
        for i in np.flatnonzero(hh.bijstand_shortfall > 0).tolist():
            notes.append(
                f"Buurt {targets.buurt[i]}: meer bijstandshuishoudens gevraagd dan huishoudens "
                f"onder de AOW-leeftijd; {int(hh.bijstand_shortfall[i])} niet geplaatst."
            )

        # ---- codes: built per unit, then decoded per dwelling
        n_d = len(layout.buurt)
        buurt_codes = pa.array([str(c) for c in targets.buurt], type=_LARGE)
        c_buurt_codes = _decode(buurt_codes, layout.complex_buurt)
        complex_codes = _join(c_buurt_codes, _numbers(layout.complex_no, 3), "-C")
        street_codes = _join(c_buurt_codes, _numbers(layout.complex_street_no, 2), "-S")
        p_complex = np.repeat(np.arange(len(layout.complex_buurt)), layout.complex_portieken)
        p_no = np.arange(len(p_complex)) - np.repeat(
            np.cumsum(layout.complex_portieken) - layout.complex_portieken,
            layout.complex_portieken,
        )
        portiek_codes = _join(_decode(complex_codes, p_complex), _numbers(p_no + 1), "-P")
        p_offset = np.cumsum(layout.complex_portieken) - layout.complex_portieken
        portiek_d = _decode(portiek_codes, p_offset[layout.complex] + layout.portiek_no - 1)
        dwelling_id = _join(portiek_d, _numbers(layout.number), "-")
        owner = layout.owner
        dwellings = pd.DataFrame(
            {
                "dwelling_id": _series(dwelling_id),
                "regio_code": _series(
                    pa.nulls(n_d, _LARGE)
                    if self.regio_code is None
                    else _decode([self.regio_code], np.zeros(n_d, dtype=np.int64))
                ),
                "gemeente_code": _series(_decode([targets.gemeente], np.zeros(n_d, np.int64))),
                "wijk_code": _series(_decode(list(targets.wijk), layout.buurt)),
                "buurt_code": _series(_decode(buurt_codes, layout.buurt)),
                "straat_code": _series(_decode(street_codes, layout.complex)),
                "complex_code": _series(_decode(complex_codes, layout.complex)),
                "portiek_code": _series(portiek_d),
                "owner": _series(_decode(OWNERS, owner)),
                "segment": _series(_decode(SEGMENTS, attrs.segment)),
                "rent": attrs.rent,
                "woz_value": np.where(owner == 2, attrs.woz, np.nan),
                "rooms": attrs.rooms,
                "floor_area": attrs.floor_area,
                "build_year": attrs.build_year,
                "wws_points": np.full(n_d, np.nan),
                "status": _series(_decode(_STATUS, hh.occupied.astype(np.int64))),
            }
        )
        n_h = len(hh.dwelling)
        households = pd.DataFrame(
            {
                "household_id": _series(
                    _join(targets.gemeente, _numbers(np.arange(1, n_h + 1), 7), "-H")
                ),
                "dwelling_id": _series(pc.take(dwelling_id, pa.array(hh.dwelling))),
                "size": hh.size,
                "type": _series(_decode(HOUSEHOLD_TYPES, hh.type)),
                "age_head": hh.age_head,
                "income": hh.income,
                "income_source": _series(_decode(INCOME_SOURCES, hh.income_source)),
                "vulnerable_care": hh.vulnerable_care,
                "statushouder": hh.statushouder,
                "urgent": hh.urgent,
                "years_in_dwelling": hh.years_in_dwelling,
                "years_in_municipality": hh.years_in_municipality,
                "crucial_profession": hh.crucial_profession,
                "registration_years": hh.registration_years,
            }
        )
        fit = build_fit(targets, layout, attrs, hh, params)
        return SynthResult(
            dwellings=dwellings,
            households=households,
            fit=fit,
            notes=tuple(notes),
            year=self.year,
            gemeente_code=targets.gemeente,
            seed=seed,
            rng_state=MappingProxyType(state),
        )
