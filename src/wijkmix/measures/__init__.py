"""Measures over count tables and register microdata (pure functions).

- :mod:`~wijkmix.measures.composition`: shares and diversity per area;
- :mod:`~wijkmix.measures.segregation`: segregation indices (agree with PySAL);
- :mod:`~wijkmix.measures.decompose`: exact hierarchical decomposition of M and
  H, and the change of M split into marginal and structural parts;
- :mod:`~wijkmix.measures.inference`: bootstrap and random-allocation baselines;
- :mod:`~wijkmix.measures.concentration`: concentrations and clusters;
- :mod:`~wijkmix.measures.vitality`: the vitality score;
- :mod:`~wijkmix.measures.change`: stayers, leavers and newcomers;
- :mod:`~wijkmix.measures.liveability`: Leefbaarometer development;
- :mod:`~wijkmix.measures.conformance`: the properties every index must pass.
"""

from __future__ import annotations

from wijkmix.measures.change import decompose_change as change_terms
from wijkmix.measures.change import panel_change
from wijkmix.measures.composition import (
    Composition,
    IncomeThresholds,
    composition,
    composition_all_levels,
    composition_from_kwb,
    diversity,
)
from wijkmix.measures.concentration import (
    ConcentrationRule,
    concentration,
    corporation_dominance,
)
from wijkmix.measures.decompose import Decomposition, decompose, decompose_from_shares
from wijkmix.measures.decompose import decompose_change as segregation_change
from wijkmix.measures.inference import bootstrap, expected_under_random
from wijkmix.measures.liveability import lbm_development
from wijkmix.measures.segregation import (
    correlation_ratio,
    dissimilarity,
    exposure,
    gini,
    isolation,
    multigroup_dissimilarity,
    multigroup_gini,
    mutual_information,
    normalized_exposure,
    relative_diversity,
    simpson_concentration,
    simpson_interaction,
    theil_h,
)
from wijkmix.measures.vitality import VitalityRules, vitality

__all__ = [
    "Composition",
    "ConcentrationRule",
    "Decomposition",
    "IncomeThresholds",
    "VitalityRules",
    "bootstrap",
    "change_terms",
    "composition",
    "composition_all_levels",
    "composition_from_kwb",
    "concentration",
    "corporation_dominance",
    "correlation_ratio",
    "decompose",
    "decompose_from_shares",
    "dissimilarity",
    "diversity",
    "expected_under_random",
    "exposure",
    "gini",
    "isolation",
    "lbm_development",
    "multigroup_dissimilarity",
    "multigroup_gini",
    "mutual_information",
    "normalized_exposure",
    "panel_change",
    "relative_diversity",
    "segregation_change",
    "simpson_concentration",
    "simpson_interaction",
    "theil_h",
    "vitality",
]
