"""Dwelling attributes: floor area, rooms, build year, WOZ value, rent and segment.

Model (all dwellings at once):

* **Floor area** is log-normal around a median per owner (corporatie 68 m²,
  particuliere verhuurder 62 m², eigenaar-bewoner 110 m²), with a factor shared
  by the dwellings of a complex. **Rooms** follow from the floor area.
* **Build year** is drawn per complex from building periods whose weights
  depend on the owner the complex was built for (corporation stock is mostly
  1945-1990, private rental often pre-war); every dwelling of a complex has the
  complex's year.
* **WOZ value**: a latent value proportional to ``floor_area ** 0.8`` times a
  complex factor, an owner factor and noise, scaled per buurt so that the mean
  over *all* dwellings equals the buurt's KWB ``avg_woz`` (rounded to €1 000).
  Owner-occupied dwellings report it as ``woz_value``; rented dwellings report
  a monthly ``rent`` instead.
* **Rent**: corporation rents lie mostly below the liberalisation limit
  (``limit × 0.85 × (WOZ / mean WOZ of the gemeente) ** 0.3`` with noise; a
  few per cent end above it, as in corporation stock); private rents follow the WOZ
  value at a gross yield (``private_rent_yield``, 5 % a year by default).
* **Segment**: rent up to the liberalisation limit is ``sociale_huur``, up to
  the middenhuur limit ``middenhuur``, above it ``vrije_huur``; owner-occupied
  dwellings are ``koop_betaalbaar`` up to the affordable purchase limit (WOZ),
  ``koop_duur`` above. The limits are dated (:mod:`wijkmix.params.income`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wijkmix.params.income import IncomeParams
from wijkmix.synth.layout import Layout

__all__ = ["SEGMENTS", "DwellingAttributes", "dwelling_attributes"]

#: Segments of the register, in the order of the integer codes used internally.
SEGMENTS: tuple[str, ...] = (
    "sociale_huur",
    "middenhuur",
    "vrije_huur",
    "koop_betaalbaar",
    "koop_duur",
)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_LOG_AREA_MEDIAN = np.log(np.array([68.0, 62.0, 110.0]))
_LOG_WOZ_OWNER_FACTOR = np.log(np.array([0.85, 1.0, 1.15]))
# building periods (first year, last year or None for year - 1) and weights per
# owner the complex was built for: corporatie, particuliere_verhuurder,
# eigenaar_bewoner, mixed (the one complex of a small buurt)
_PERIODS: tuple[tuple[int, int | None], ...] = (
    (1880, 1944),
    (1945, 1969),
    (1970, 1989),
    (1990, 2009),
    (2010, None),
)
_PERIOD_WEIGHTS = np.array(
    [
        [0.10, 0.30, 0.35, 0.17, 0.08],
        [0.35, 0.15, 0.15, 0.20, 0.15],
        [0.20, 0.15, 0.25, 0.28, 0.12],
        [0.25, 0.18, 0.22, 0.23, 0.12],
    ]
)


@dataclass(frozen=True)
class DwellingAttributes:
    """Attributes per dwelling (arrays of length N).

    Attributes
    ----------
    woz : numpy.ndarray of float
        WOZ value in euro of every dwelling (the latent value; reported only
        for owner-occupied dwellings).
    rent : numpy.ndarray of float
        Monthly rent in euro, NaN for owner-occupied dwellings.
    segment : numpy.ndarray of int
        Index into :data:`SEGMENTS`.
    floor_area : numpy.ndarray of float
    rooms : numpy.ndarray of int
    build_year : numpy.ndarray of int
    """

    woz: FloatArray
    rent: FloatArray
    segment: IntArray
    floor_area: FloatArray
    rooms: IntArray
    build_year: IntArray


def dwelling_attributes(
    layout: Layout,
    avg_woz: npt.ArrayLike,
    params: IncomeParams,
    rng: np.random.Generator,
    *,
    private_rent_yield: float = 0.05,
) -> DwellingAttributes:
    """Draw the attributes of every dwelling of a layout.

    Parameters
    ----------
    layout : Layout
    avg_woz : array_like of float, shape (B,)
        Mean WOZ value per buurt, x 1 000 euro (KWB unit); NaN only for
        buurten without dwellings.
    params : IncomeParams
        Limits of the year (liberalisation, middenhuur, affordable purchase).
    rng : numpy.random.Generator
    private_rent_yield : float
        Gross yearly rent of private rental dwellings as a share of the WOZ value.

    Returns
    -------
    DwellingAttributes
    """
    n = len(layout.buurt)
    n_c = len(layout.complex_buurt)
    n_b = len(np.asarray(avg_woz))
    owner = layout.owner
    cx = layout.complex

    # complex effects
    c_area = np.exp(0.12 * rng.standard_normal(n_c))
    c_woz = np.exp(0.20 * rng.standard_normal(n_c))
    weights = _PERIOD_WEIGHTS[np.where(layout.complex_owner < 0, 3, layout.complex_owner)]
    cumw = np.cumsum(weights, axis=1)
    u = rng.random(n_c) * cumw[:, -1]
    period = (u[:, None] >= cumw[:, :-1]).sum(axis=1)
    first = np.array([p[0] for p in _PERIODS])[period]
    last = np.array([p[1] if p[1] is not None else params.year - 1 for p in _PERIODS])[period]
    c_year = first + np.floor(rng.random(n_c) * (last - first + 1)).astype(np.int64)

    noise = rng.standard_normal((4, n))
    log_area = _LOG_AREA_MEDIAN[owner] + np.log(c_area)[cx] + 0.22 * noise[0]
    area = np.round(np.clip(np.exp(log_area), 18.0, 400.0))
    rooms = np.clip(np.rint(0.8 + area / 27.0 + 0.4 * noise[1]), 1, 12).astype(np.int64)

    raw = np.exp(
        0.8 * np.log(area) + np.log(c_woz)[cx] + _LOG_WOZ_OWNER_FACTOR[owner] + 0.15 * noise[2]
    )
    b = layout.buurt
    sum_raw = np.bincount(b, weights=raw, minlength=n_b)
    cnt = np.bincount(b, minlength=n_b)
    target = np.nan_to_num(np.asarray(avg_woz, dtype=np.float64), nan=0.0) * 1000.0
    scale = np.where(sum_raw > 0, target * cnt / np.where(sum_raw > 0, sum_raw, 1.0), 0.0)
    woz = np.maximum(np.round(raw * scale[b], -3), 1000.0)

    lib = params.liberalisation_limit
    mean_woz = float(np.sum(target * cnt) / max(int(cnt.sum()), 1)) or 1.0
    rent = np.full(n, np.nan)
    i = np.flatnonzero(owner == 0)
    rel = np.exp(0.3 * np.log(woz[i] / mean_woz) + 0.12 * noise[3, i])
    rent[i] = np.round(lib * np.clip(0.85 * rel, 0.35, 1.35), 2)
    i = np.flatnonzero(owner == 1)
    priv = woz[i] * (private_rent_yield / 12.0) * np.exp(0.15 * noise[3, i])
    rent[i] = np.round(np.maximum(priv, 0.35 * lib), 2)

    segment = np.where(woz <= params.affordable_purchase_limit, 3, 4)
    rented = owner != 2
    segment[rented] = np.where(
        rent[rented] <= lib, 0, np.where(rent[rented] <= params.middenhuur_limit, 1, 2)
    )

    return DwellingAttributes(
        woz=woz,
        rent=rent,
        segment=segment.astype(np.int64),
        floor_area=area,
        rooms=rooms,
        build_year=c_year[cx].astype(np.int64),
    )
