"""Synthetic populations calibrated to real area marginals.

:class:`SyntheticPopulation` turns a wide frame of CBS *Kerncijfers wijken en
buurten* (one row per area, concept columns, NaN = suppressed) into dwelling
and household registers for every buurt of a gemeente: the number of
households is the CBS count, dwellings, tenure shares, WOZ level, household
types, ages, income shares (low income, social minimum) and bijstand follow
the buurt's marginals, and the dwellings are laid out in streets, complexes
and portieken. Suppressed values are borrowed from the wijk or the gemeente
and reported in the fit table and the notes.

>>> import numpy as np
>>> from wijkmix.synth import SyntheticPopulation
>>> sp = SyntheticPopulation(2019)
>>> result = sp.generate(kwb_wide, "GM0518", np.random.default_rng(7))  # doctest: +SKIP
>>> result.households.head()  # doctest: +SKIP
"""

from wijkmix.synth.dwellings import SEGMENTS
from wijkmix.synth.fit import FIT_COLUMNS, FIT_CONCEPTS, FIT_LABELS
from wijkmix.synth.households import INCOME_SOURCES, FlagRates
from wijkmix.synth.population import (
    DWELLING_COLUMNS,
    HOUSEHOLD_COLUMNS,
    SyntheticPopulation,
    SynthResult,
)
from wijkmix.synth.targets import DERIVED, FALLBACK, HOUSEHOLD_TYPES, OWNERS

__all__ = [
    "DERIVED",
    "DWELLING_COLUMNS",
    "FALLBACK",
    "FIT_COLUMNS",
    "FIT_CONCEPTS",
    "FIT_LABELS",
    "HOUSEHOLD_COLUMNS",
    "HOUSEHOLD_TYPES",
    "INCOME_SOURCES",
    "OWNERS",
    "SEGMENTS",
    "FlagRates",
    "SynthResult",
    "SyntheticPopulation",
]
