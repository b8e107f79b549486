"""Stable concepts for area statistics.

CBS renames and renumbers the columns of *Kerncijfers wijken en buurten* every
year; wijkmix stores area statistics under these stable concept names instead.
The importers (:mod:`wijkmix.io.cbs_kwb`) map a table's own columns to concepts
through its metadata; everything downstream (synthesis, measures, reports)
speaks concepts only.

Units follow CBS: ``aantal`` (count), ``%`` (percentage of the concept's
``denominator``), ``x 1 000 euro``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CONCEPTS", "Concept", "concept"]


@dataclass(frozen=True)
class Concept:
    """One area statistic.

    Attributes
    ----------
    name : str
        Stable identifier (``pct_corporation``).
    label : str
        Dutch label for users.
    unit : str
        ``aantal``, ``%``, ``x 1 000 euro`` or ``aantal per huishouden``.
    denominator : str or None
        For percentages and averages: the concept the value is relative to
        (``dwellings`` for tenure shares). Aggregating over areas weights by it.
    """

    name: str
    label: str
    unit: str
    denominator: str | None = None


_C = Concept
CONCEPTS: dict[str, Concept] = {
    c.name: c
    for c in [
        _C("inhabitants", "Aantal inwoners", "aantal"),
        _C("men", "Mannen", "aantal"),
        _C("women", "Vrouwen", "aantal"),
        _C("age_0_15", "0 tot 15 jaar", "aantal"),
        _C("age_15_25", "15 tot 25 jaar", "aantal"),
        _C("age_25_45", "25 tot 45 jaar", "aantal"),
        _C("age_45_65", "45 tot 65 jaar", "aantal"),
        _C("age_65_plus", "65 jaar of ouder", "aantal"),
        # migration background, classification until 2022 (westers / niet-westers)
        _C("migr_western", "Westerse migratieachtergrond", "aantal"),
        _C("migr_nonwestern", "Niet-westerse migratieachtergrond", "aantal"),
        _C("migr_morocco", "Marokko", "aantal"),
        _C("migr_antilles_aruba", "Nederlandse Antillen en Aruba", "aantal"),
        _C("migr_suriname", "Suriname", "aantal"),
        _C("migr_turkey", "Turkije", "aantal"),
        _C("migr_other_nonwestern", "Overig niet-westers", "aantal"),
        # origin (herkomstland), classification since 2022
        _C("origin_netherlands", "Herkomstland Nederland", "aantal"),
        _C("origin_europe", "Herkomstland Europa (exclusief Nederland)", "aantal"),
        _C("origin_outside_europe", "Herkomstland buiten Europa", "aantal"),
        _C("born_nl_origin_europe", "Geboren in Nederland, herkomst Europa", "aantal"),
        _C(
            "born_nl_origin_outside_europe",
            "Geboren in Nederland, herkomst buiten Europa",
            "aantal",
        ),
        _C("born_abroad_europe", "Geboren buiten Nederland, Europa", "aantal"),
        _C("born_abroad_outside_europe", "Geboren buiten Nederland, buiten Europa", "aantal"),
        # households
        _C("households", "Huishoudens totaal", "aantal"),
        _C("one_person_households", "Eenpersoonshuishoudens", "aantal"),
        _C("households_without_children", "Huishoudens zonder kinderen", "aantal"),
        _C("households_with_children", "Huishoudens met kinderen", "aantal"),
        _C("avg_household_size", "Gemiddelde huishoudensgrootte", "aantal", "households"),
        # dwellings
        _C("dwellings", "Woningvoorraad", "aantal"),
        _C("avg_woz", "Gemiddelde WOZ-waarde van woningen", "x 1 000 euro", "dwellings"),
        _C("pct_single_family", "Percentage eengezinswoning", "%", "dwellings"),
        _C("pct_multi_family", "Percentage meergezinswoning", "%", "dwellings"),
        _C("pct_owner_occupied", "Koopwoningen", "%", "dwellings"),
        _C("pct_rented", "Huurwoningen totaal", "%", "dwellings"),
        _C("pct_corporation", "In bezit woningcorporatie", "%", "dwellings"),
        _C("pct_other_landlords", "In bezit overige verhuurders", "%", "dwellings"),
        _C("pct_ownership_unknown", "Eigendom onbekend", "%", "dwellings"),
        # income (percentages of the households with a known income)
        _C("income_recipients", "Aantal inkomensontvangers", "aantal"),
        _C(
            "avg_income_per_recipient",
            "Gemiddeld inkomen per inkomensontvanger",
            "x 1 000 euro",
            "income_recipients",
        ),
        _C(
            "avg_income_per_inhabitant",
            "Gemiddeld inkomen per inwoner",
            "x 1 000 euro",
            "inhabitants",
        ),
        _C("pct_households_lowest_40", "40% huishoudens met laagste inkomen", "%", "households"),
        _C("pct_households_highest_20", "20% huishoudens met hoogste inkomen", "%", "households"),
        _C("pct_low_income_households", "Huishoudens met een laag inkomen", "%", "households"),
        _C(
            "pct_households_social_minimum",
            "Huishoudens onder of rond sociaal minimum",
            "%",
            "households",
        ),
        # social security (counts of persons)
        _C("bijstand_persons", "Personen met bijstand", "aantal"),
        _C("ao_persons", "Personen met een arbeidsongeschiktheidsuitkering", "aantal"),
        _C("ww_persons", "Personen met een WW-uitkering", "aantal"),
        _C("aow_persons", "Personen met AOW", "aantal"),
        # area
        _C("land_area_ha", "Oppervlakte land", "ha"),
    ]
}


def concept(name: str) -> Concept:
    """Return the concept called ``name``.

    Raises
    ------
    InputError
        If there is no such concept.
    """
    from wijkmix.errors import InputError

    try:
        return CONCEPTS[name]
    except KeyError:
        raise InputError(
            "unknown concept",
            where="concept",
            expected="one of " + ", ".join(CONCEPTS),
            found=name,
        ) from None
