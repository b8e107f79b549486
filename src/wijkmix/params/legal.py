"""Dated legal parameters of social-rent allocation, one table per calendar year.

The allocation step of the microsimulation (:mod:`wijkmix.sim.allocation`) and
the plan's precision checks read the rules of the law from here, never from
literals in their own code. Every value carries its source in
:attr:`LegalParams.sources`; where a figure could not be re-checked against the
official publication while writing this table, the source text says so.

What the table holds (all amounts in euro; incomes are gross yearly household
income, *verzamelinkomen*; rents are monthly *kale huur*):

DAEB income limit (*toewijzingsgrens*)
    Woningwet and Besluit toegelaten instellingen volkshuisvesting 2015 (BTIV).
    Until 2021 one limit for every household, with the 80/10/10 rule: at least
    80 % of a corporation's social-rent vacancies to households at or below
    the limit, at most 10 % to households between it and a second, higher limit,
    and 10 % free. From 1 January 2022 the limit depends on household size (one
    person / more persons) and at least 92.5 % of the vacancies go to households
    at or below it; the free share is 7.5 %, up to 15 % when the performance
    agreements (*prestatieafspraken*) say so.
Passend toewijzen
    Households whose income is at or below the passend-toewijzen limit (the old
    huurtoeslag income limits, kept for this purpose after 2020) must get, in at
    least 95 % of a corporation's allocations to them, a dwelling whose rent is
    at or below the *aftoppingsgrens* for their size: the low limit for 1–2
    persons, the high limit for 3 or more. The limits for households at state
    pension age differ by a few hundred euro; wijkmix uses the limits below the
    state pension age for every household.
Liberalisation limit (*liberalisatiegrens*, huurtoeslag maximum rent)
    The social-rent ceiling.
Middle segment (Wet betaalbare huur, since 1 July 2024)
    144–186 WWS points with a maximum rent; no statutory middle segment before.
Priority for ties and crucial professions (Huisvestingswet 2014, art. 14)
    Until 2023: at most 50 % of the yearly supply of the designated categories
    with priority for economic or social ties to the housing-market region, of
    which at most 25 % (half of the 50 %) for ties to the municipality itself;
    no priority ground for crucial professions. Since 1 January 2024 (amending
    act): at most 50 % in total for economic, social or local ties *and*
    crucial professions together, divided as the municipality chooses. A social
    tie is at least six years of uninterrupted residence (now, or within the
    last ten years).
Wbmgp (Wet bijzondere maatregelen grootstedelijke problematiek)
    Designations of complexes, streets or areas for art. 8 (income requirement),
    art. 9 (priority by socio-economic profile) and art. 10 (screening) last at
    most four years and may be extended once by at most four years. Art. 8
    applies to seekers who have lived in the region for less than six years:
    they need income from work, a pension (the AOW included) or student finance.

Examples
--------
>>> p = legal_params(2024)
>>> p.daeb_income_limit_single, p.daeb_income_limit_multi
(47699.0, 52671.0)
>>> p.daeb_free_share, p.daeb_free_share_max
(0.075, 0.15)
>>> legal_params(2019).daeb_income_limit_middle
42436.0
>>> p.passend_cap(3)
697.07
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from wijkmix.errors import InputError

__all__ = ["ART8_INCOME_SOURCES", "WBMGP_LEVELS", "YEARS", "LegalParams", "legal_params"]

#: Income sources that satisfy the income requirement of Wbmgp art. 8 (names of
#: :data:`wijkmix.sim.state.INCOME_SOURCES`; ``pensioen`` includes the AOW).
ART8_INCOME_SOURCES: tuple[str, ...] = ("werk", "pensioen", "studie")

#: Area levels a Wbmgp designation may name (complexes, streets or areas).
WBMGP_LEVELS: tuple[str, ...] = ("complex", "straat", "buurt", "wijk")


@dataclass(frozen=True)
class LegalParams:
    """The legal allocation parameters of one calendar year.

    Attributes
    ----------
    year : int
        Calendar year.
    daeb_income_limit_single, daeb_income_limit_multi : float
        DAEB income limit of one-person and of multi-person households (equal
        until 2021).
    daeb_income_limit_middle : float or None
        Second, higher income limit of the 80/10/10 rule (2019–2021); ``None``
        from 2022.
    daeb_middle_share : float
        Share of vacancies that may go to households between the two limits
        (0.10 until 2021, 0 afterwards).
    daeb_free_share : float
        Standard share of vacancies that may go to households above the limit.
    daeb_free_share_max : float
        The largest free share the law allows (by performance agreement).
    passend_income_limit_single, passend_income_limit_multi : float
        Passend-toewijzen income limit (at or below it the rule applies).
    passend_cap_small, passend_cap_large : float
        Aftoppingsgrens for 1–2 and for 3+ person households.
    passend_min_share : float
        Share of the allocations to the passend-toewijzen target group that
        must be at or below the cap (0.95).
    liberalisation_limit : float
        Social-rent ceiling (huurtoeslag maximum rent).
    middle_rent_points : tuple of int or None
        WWS point range of the regulated middle segment, ``None`` before it existed.
    middle_rent_max : float or None
        Maximum rent of the middle segment, ``None`` before it existed.
    priority_max_share : float
        Largest share of the yearly supply let with priority for ties (and,
        since 2024, crucial professions), combined.
    local_tie_max_share : float
        Largest share with priority for a tie to the municipality itself
        (0.25 until 2023, 0.50 since).
    crucial_priority_allowed : bool
        Whether priority for crucial professions is a ground of the law.
    social_tie_years : int
        Years of uninterrupted residence that make a social tie.
    wbmgp_designation_years, wbmgp_extension_years : int
        Longest Wbmgp designation and its one extension.
    wbmgp_art8_region_years : int
        Art. 8 applies to seekers with fewer years than this in the region.
    art8_income_sources : tuple of str
        Income sources that meet art. 8.
    sources : Mapping[str, str]
        Source of every attribute.
    """

    year: int
    daeb_income_limit_single: float
    daeb_income_limit_multi: float
    daeb_income_limit_middle: float | None
    daeb_middle_share: float
    daeb_free_share: float
    daeb_free_share_max: float
    passend_income_limit_single: float
    passend_income_limit_multi: float
    passend_cap_small: float
    passend_cap_large: float
    passend_min_share: float
    liberalisation_limit: float
    middle_rent_points: tuple[int, int] | None
    middle_rent_max: float | None
    priority_max_share: float
    local_tie_max_share: float
    crucial_priority_allowed: bool
    social_tie_years: int
    wbmgp_designation_years: int
    wbmgp_extension_years: int
    wbmgp_art8_region_years: int
    art8_income_sources: tuple[str, ...] = ART8_INCOME_SOURCES
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def daeb_limit(self, size: int) -> float:
        """DAEB income limit for a household of ``size`` persons."""
        return self.daeb_income_limit_single if size <= 1 else self.daeb_income_limit_multi

    def passend_limit(self, size: int) -> float:
        """Passend-toewijzen income limit for a household of ``size`` persons."""
        return self.passend_income_limit_single if size <= 1 else self.passend_income_limit_multi

    def passend_cap(self, size: int) -> float:
        """Aftoppingsgrens for a household of ``size`` persons."""
        return self.passend_cap_small if size <= 2 else self.passend_cap_large


# --- the table ---------------------------------------------------------------------
# year: (daeb 1p, daeb mp, daeb middle limit or None,
#        passend 1p, passend mp, cap 1-2 p, cap 3+ p, liberalisation limit)
_TABLE: dict[int, tuple[float, float, float | None, float, float, float, float, float]] = {
    2019: (38_035, 38_035, 42_436, 22_700, 30_825, 607.46, 651.03, 720.42),
    2020: (39_055, 39_055, 43_574, 23_225, 31_550, 619.01, 663.40, 737.14),
    2021: (40_024, 40_024, 44_655, 23_725, 32_200, 633.25, 678.66, 752.33),
    2022: (40_765, 45_014, None, 24_075, 32_675, 633.25, 678.66, 763.47),
    2023: (44_035, 48_625, None, 25_475, 34_575, 647.19, 693.60, 808.06),
    2024: (47_699, 52_671, None, 27_725, 37_625, 650.43, 697.07, 879.66),
    2025: (49_669, 54_847, None, 28_375, 38_500, 682.96, 731.93, 900.07),
}

#: The calendar years :func:`legal_params` has values for.
YEARS: tuple[int, ...] = tuple(sorted(_TABLE))

_BZK = (
    "BZK, 'Inkomens- en huurprijsgrenzen {y}' (Rijksoverheid, jaarlijkse circulaire "
    "huurprijs- en inkomensgrenzen; indexering in de Staatscourant)"
)
_CHECKED = "; bedragen nagezien in door corporaties overgenomen overzichten van {y}"
_UNCHECKED = (
    "; NIET opnieuw nagezien tegen de publicatie bij het opstellen van deze tabel "
    "(waarde uit eerdere kennis of uit DESIGN §8) — controleer vóór gebruik"
)

# (year, attribute) pairs whose value could not be re-checked against a publication
_NOT_CHECKED: frozenset[tuple[int, str]] = frozenset(
    {
        (2020, "daeb_income_limit_single"),
        (2020, "daeb_income_limit_multi"),
        (2020, "daeb_income_limit_middle"),
        (2025, "daeb_income_limit_single"),
        (2025, "daeb_income_limit_multi"),
        (2025, "passend_income_limit_single"),
        (2025, "passend_income_limit_multi"),
        (2025, "passend_cap_small"),
        (2025, "passend_cap_large"),
    }
)


def _src(year: int, attribute: str, text: str) -> str:
    y = str(year)
    if (year, attribute) in _NOT_CHECKED:
        return text.format(y=y) + _UNCHECKED
    return text.format(y=y) + _CHECKED.format(y=y)


def _sources(year: int) -> dict[str, str]:
    old = year <= 2021
    new_hw = year >= 2024
    daeb_rule = (
        " — 80/10/10-regel: ≥ 80 % tot de grens, ≤ 10 % tussen beide grenzen, 10 % vrij "
        "(Woningwet, BTIV 2015)"
        if old
        else " — ≥ 92,5 % tot de grens naar huishoudgrootte (1p/mp), sinds 1 januari 2022 "
        "(wijziging BTIV 2015, differentiatie DAEB-toewijzingsgrenzen)"
    )
    s = {
        "daeb_income_limit_single": _src(year, "daeb_income_limit_single", _BZK + daeb_rule),
        "daeb_income_limit_multi": _src(year, "daeb_income_limit_multi", _BZK + daeb_rule),
        "daeb_income_limit_middle": (
            _src(year, "daeb_income_limit_middle", _BZK + " — tweede inkomensgrens (10 %-ruimte)")
            if old
            else "vervallen per 1 januari 2022 (wijziging BTIV 2015)"
        ),
        "daeb_middle_share": (
            "Woningwet/BTIV 2015: ten hoogste 10 % tussen de twee inkomensgrenzen (t/m 2021)"
            if old
            else "vervallen per 1 januari 2022"
        ),
        "daeb_free_share": (
            "Woningwet/BTIV 2015: 10 % vrije toewijzingsruimte (t/m 2021)"
            if old
            else "BTIV 2015 (sinds 2022): ten minste 92,5 % aan de DAEB-doelgroep, 7,5 % vrij"
        ),
        "daeb_free_share_max": (
            "Woningwet/BTIV 2015: 10 %, zonder verruiming via prestatieafspraken (t/m 2021)"
            if old
            else "BTIV 2015 (sinds 2022): vrije ruimte tot 15 % bij prestatieafspraken"
        ),
        "passend_income_limit_single": _src(
            year,
            "passend_income_limit_single",
            _BZK + " — grens passend toewijzen, eenpersoonshuishouden onder de AOW-leeftijd",
        ),
        "passend_income_limit_multi": _src(
            year,
            "passend_income_limit_multi",
            _BZK + " — grens passend toewijzen, meerpersoonshuishouden onder de AOW-leeftijd",
        ),
        "passend_cap_small": _src(
            year, "passend_cap_small", _BZK + " — lage aftoppingsgrens huurtoeslag (1–2 personen)"
        ),
        "passend_cap_large": _src(
            year, "passend_cap_large", _BZK + " — hoge aftoppingsgrens huurtoeslag (3+ personen)"
        ),
        "passend_min_share": (
            "Woningwet (passend toewijzen, sinds 2016): ten minste 95 % van de toewijzingen aan "
            "huishoudens tot de inkomensgrens passend toewijzen onder de aftoppingsgrens"
        ),
        "liberalisation_limit": _src(
            year,
            "liberalisation_limit",
            "Rijksoverheid, huurtoeslag: maximale huurgrens (liberalisatiegrens) {y}",
        ),
        "middle_rent_points": (
            "Wet betaalbare huur (1 juli 2024): middensegment 144–186 WWS-punten"
            if new_hw
            else "geen wettelijk middensegment vóór de Wet betaalbare huur (1 juli 2024)"
        ),
        "middle_rent_max": (
            "Wet betaalbare huur: maximale huur bij 186 punten, €1.157,95 (1 juli 2024)"
            if year == 2024
            else "Wet betaalbare huur: maximale huur bij 186 punten per 1 januari 2025, "
            "€1.184,82 (DESIGN §8)"
            if year == 2025
            else "geen wettelijk middensegment vóór de Wet betaalbare huur (1 juli 2024)"
        ),
        "priority_max_share": (
            "Huisvestingswet 2014 art. 14 zoals gewijzigd per 1 januari 2024: ten hoogste 50 % "
            "van de jaarlijks beschikbare woonruimte van de aangewezen categorieën met voorrang "
            "voor economische, maatschappelijke of lokale binding en cruciale beroepen samen"
            if new_hw
            else "Huisvestingswet 2014 art. 14 (tot 2024): ten hoogste 50 % van de jaarlijks "
            "beschikbare woonruimte met voorrang voor economische of maatschappelijke binding "
            "aan de woningmarktregio"
        ),
        "local_tie_max_share": (
            "Huisvestingswet 2014 art. 14 (sinds 1 januari 2024): de gemeente verdeelt de "
            "gehele 50 % vrij, ook geheel voor lokale binding (Rijksoverheid, nieuwsbericht "
            "12 december 2023)"
            if new_hw
            else "Huisvestingswet 2014 art. 14 (tot 2024): binnen de 50 % ten hoogste 25 % voor "
            "binding aan de gemeente zelf (Rijksoverheid, nieuwsbericht wetsvoorstel, "
            "september 2022)"
        ),
        "crucial_priority_allowed": (
            "Huisvestingswet 2014 art. 14 (sinds 1 januari 2024): voorrang voor door de "
            "gemeente aangewezen cruciale beroepen, binnen de 50 %"
            if new_hw
            else "Huisvestingswet 2014 (tot 2024): geen voorrangsgrond voor cruciale beroepen"
        ),
        "social_tie_years": (
            "Huisvestingswet 2014 art. 14: maatschappelijke binding = ten minste zes jaar "
            "onafgebroken ingezetene (of binnen de voorafgaande tien jaar zes jaar onafgebroken)"
        ),
        "wbmgp_designation_years": (
            "Wbmgp: aanwijzing van complexen, straten of gebieden voor ten hoogste vier jaar "
            "(DESIGN §8; wettekst niet opnieuw nagezien bij het opstellen van deze tabel)"
        ),
        "wbmgp_extension_years": (
            "Wbmgp: één verlenging van ten hoogste vier jaar (DESIGN §8; of de wet sinds de "
            "wijziging van 2017 herhaalde verlenging toestaat is hier niet nagezien — wijkmix "
            "staat er één toe)"
        ),
        "wbmgp_art8_region_years": (
            "Wbmgp art. 8: de inkomenseis geldt voor woningzoekenden die korter dan zes jaar "
            "in de regio wonen"
        ),
        "art8_income_sources": (
            "Wbmgp art. 8: inkomen uit arbeid, pensioen (inclusief AOW) of studiefinanciering"
        ),
    }
    return s


def legal_params(year: int) -> LegalParams:
    """Return the legal allocation parameters of calendar year ``year``.

    Parameters
    ----------
    year : int
        Calendar year, one of :data:`YEARS`.

    Returns
    -------
    LegalParams

    Raises
    ------
    InputError
        If the table has no values for ``year`` (the message lists the years it has).

    Examples
    --------
    >>> legal_params(2022).daeb_income_limit_multi
    45014.0
    >>> legal_params(2023).crucial_priority_allowed
    False
    """
    if not isinstance(year, int) or isinstance(year, bool) or year not in _TABLE:
        raise InputError(
            "no legal allocation parameters for this year",
            where="year",
            expected="one of " + ", ".join(str(y) for y in YEARS),
            found=year,
            hint="add the year's values to wijkmix.params.legal with their sources",
        )
    d1, dm, dmid, p1, pm, cap_s, cap_l, lib = _TABLE[year]
    old = year <= 2021
    new_hw = year >= 2024
    mid_max = {2024: 1157.95, 2025: 1184.82}.get(year)
    return LegalParams(
        year=year,
        daeb_income_limit_single=float(d1),
        daeb_income_limit_multi=float(dm),
        daeb_income_limit_middle=None if dmid is None else float(dmid),
        daeb_middle_share=0.10 if old else 0.0,
        daeb_free_share=0.10 if old else 0.075,
        daeb_free_share_max=0.10 if old else 0.15,
        passend_income_limit_single=float(p1),
        passend_income_limit_multi=float(pm),
        passend_cap_small=float(cap_s),
        passend_cap_large=float(cap_l),
        passend_min_share=0.95,
        liberalisation_limit=float(lib),
        middle_rent_points=(144, 186) if new_hw else None,
        middle_rent_max=mid_max,
        priority_max_share=0.5,
        local_tie_max_share=0.5 if new_hw else 0.25,
        crucial_priority_allowed=new_hw,
        social_tie_years=6,
        wbmgp_designation_years=4,
        wbmgp_extension_years=4,
        wbmgp_art8_region_years=6,
        art8_income_sources=ART8_INCOME_SOURCES,
        sources=MappingProxyType(_sources(year)),
    )
