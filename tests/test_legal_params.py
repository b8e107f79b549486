"""Tests of wijkmix.params.legal: the dated legal allocation parameters.

The expected figures are typed again here from the publications named in the
module's sources (BZK/Rijksoverheid yearly income and rent limits, DESIGN §8),
independently of the table in the module.
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from wijkmix.errors import InputError
from wijkmix.params.legal import YEARS, LegalParams, legal_params

# year: (DAEB 1p, DAEB mp, second limit, passend 1p, passend mp, cap 1-2p, cap 3+p, lib. limit)
PUBLISHED = {
    2019: (38035, 38035, 42436, 22700, 30825, 607.46, 651.03, 720.42),
    2020: (39055, 39055, 43574, 23225, 31550, 619.01, 663.40, 737.14),
    2021: (40024, 40024, 44655, 23725, 32200, 633.25, 678.66, 752.33),
    2022: (40765, 45014, None, 24075, 32675, 633.25, 678.66, 763.47),
    2023: (44035, 48625, None, 25475, 34575, 647.19, 693.60, 808.06),
    2024: (47699, 52671, None, 27725, 37625, 650.43, 697.07, 879.66),
    2025: (49669, 54847, None, 28375, 38500, 682.96, 731.93, 900.07),
}


def test_years_are_2019_to_2025() -> None:
    assert tuple(range(2019, 2026)) == YEARS


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_published_figures(year: int) -> None:
    p = legal_params(year)
    d1, dm, mid, p1, pm, cs, cl, lib = PUBLISHED[year]
    assert p.year == year
    assert p.daeb_income_limit_single == d1
    assert p.daeb_income_limit_multi == dm
    assert p.daeb_income_limit_middle == mid
    assert p.passend_income_limit_single == p1
    assert p.passend_income_limit_multi == pm
    assert p.passend_cap_small == cs
    assert p.passend_cap_large == cl
    assert p.liberalisation_limit == lib


def test_design_table_2024_2025() -> None:
    # DESIGN §8 verbatim
    p24, p25 = legal_params(2024), legal_params(2025)
    assert (p24.daeb_income_limit_single, p24.daeb_income_limit_multi) == (47699, 52671)
    assert (p25.daeb_income_limit_single, p25.daeb_income_limit_multi) == (49669, 54847)
    assert (p25.passend_cap_small, p25.passend_cap_large) == (682.96, 731.93)
    assert p24.liberalisation_limit == 879.66 and p25.liberalisation_limit == 900.07
    assert p24.middle_rent_points == (144, 186) and p25.middle_rent_max == 1184.82
    for p in (p24, p25):
        assert p.daeb_free_share == 0.075 and p.daeb_free_share_max == 0.15
        assert p.priority_max_share == 0.5 and p.social_tie_years == 6
        assert (p.wbmgp_designation_years, p.wbmgp_extension_years) == (4, 4)
        assert p.wbmgp_art8_region_years == 6


@pytest.mark.parametrize("year", [2019, 2020, 2021])
def test_80_10_10_rule_until_2021(year: int) -> None:
    p = legal_params(year)
    assert p.daeb_income_limit_single == p.daeb_income_limit_multi  # one limit for everyone
    assert p.daeb_free_share == 0.10 and p.daeb_middle_share == 0.10
    assert p.daeb_free_share_max == 0.10  # no extension by agreement before 2022
    assert p.daeb_income_limit_middle is not None
    assert p.daeb_income_limit_middle > p.daeb_income_limit_single


@pytest.mark.parametrize("year", [2022, 2023, 2024, 2025])
def test_size_dependent_limit_since_2022(year: int) -> None:
    p = legal_params(year)
    assert p.daeb_income_limit_multi > p.daeb_income_limit_single
    assert p.daeb_income_limit_middle is None and p.daeb_middle_share == 0.0
    assert p.daeb_free_share == 0.075 and p.daeb_free_share_max == 0.15


def test_priority_rules_change_in_2024() -> None:
    for y in (2019, 2020, 2021, 2022, 2023):
        p = legal_params(y)
        assert p.priority_max_share == 0.5
        assert p.local_tie_max_share == 0.25  # half of the 50 % for ties to the municipality
        assert p.crucial_priority_allowed is False
        assert p.middle_rent_points is None and p.middle_rent_max is None
    for y in (2024, 2025):
        p = legal_params(y)
        assert p.local_tie_max_share == 0.5
        assert p.crucial_priority_allowed is True


@pytest.mark.parametrize("year", YEARS)
def test_internal_consistency(year: int) -> None:
    p = legal_params(year)
    assert p.passend_income_limit_single < p.passend_income_limit_multi
    assert p.passend_income_limit_multi < p.daeb_income_limit_multi
    assert p.passend_cap_small < p.passend_cap_large < p.liberalisation_limit
    assert p.passend_min_share == 0.95
    assert set(p.art8_income_sources) == {"werk", "pensioen", "studie"}
    # helpers by household size
    assert p.daeb_limit(1) == p.daeb_income_limit_single
    assert p.daeb_limit(2) == p.daeb_income_limit_multi
    assert p.passend_limit(1) == p.passend_income_limit_single
    assert p.passend_limit(4) == p.passend_income_limit_multi
    assert p.passend_cap(2) == p.passend_cap_small
    assert p.passend_cap(3) == p.passend_cap_large


def test_limits_never_fall() -> None:
    seq = [legal_params(y) for y in YEARS]
    for a, b in itertools.pairwise(seq):
        assert b.liberalisation_limit > a.liberalisation_limit
        assert b.daeb_income_limit_single > a.daeb_income_limit_single
        assert b.passend_income_limit_single > a.passend_income_limit_single
        assert b.passend_cap_small >= a.passend_cap_small


@pytest.mark.parametrize("year", YEARS)
def test_every_value_has_a_source(year: int) -> None:
    p = legal_params(year)
    names = {f.name for f in dataclasses.fields(LegalParams)} - {"year", "sources"}
    assert set(p.sources) == names
    assert all(isinstance(t, str) and len(t) > 20 for t in p.sources.values())


def test_unverified_figures_say_so() -> None:
    unchecked = "NIET opnieuw nagezien"
    assert unchecked in legal_params(2020).sources["daeb_income_limit_single"]
    assert unchecked in legal_params(2025).sources["passend_income_limit_single"]
    assert unchecked not in legal_params(2023).sources["daeb_income_limit_single"]
    assert "2023" in legal_params(2023).sources["passend_cap_small"]


def test_frozen() -> None:
    p = legal_params(2024)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.daeb_free_share = 0.2  # type: ignore[misc]
    with pytest.raises(TypeError):
        p.sources["daeb_free_share"] = "x"  # type: ignore[index]


@pytest.mark.parametrize("bad", [2018, 2026, 0, "2024", 2024.0])
def test_unknown_year(bad: object) -> None:
    with pytest.raises(InputError, match="year") as exc:
        legal_params(bad)  # type: ignore[arg-type]
    msg = str(exc.value)
    assert "2019, 2020, 2021, 2022, 2023, 2024, 2025" in msg
    assert exc.value.where.field == "year"
    assert exc.value.found == bad
