"""The tables of a wijkmix store, declared once for every backend.

Each table is a list of ``(column, type)`` pairs in portable SQL types
(``TEXT``, ``BIGINT``, ``DOUBLE``, ``BOOLEAN``, ``TIMESTAMP``). A backend turns
them into its own DDL. :data:`SCHEMA_VERSION` is stored in the ``meta`` table
and checked every time a store is opened.
"""

from __future__ import annotations

__all__ = ["DWELLING_COLUMNS", "HOUSEHOLD_COLUMNS", "SCHEMA_VERSION", "TABLES"]

#: Bump when a table changes shape; an older store then refuses to open.
SCHEMA_VERSION = 2

DWELLING_COLUMNS: list[tuple[str, str]] = [
    ("dwelling_id", "TEXT"),
    ("regio_code", "TEXT"),
    ("gemeente_code", "TEXT"),
    ("wijk_code", "TEXT"),
    ("buurt_code", "TEXT"),
    ("straat_code", "TEXT"),
    ("complex_code", "TEXT"),
    ("portiek_code", "TEXT"),
    ("owner", "TEXT"),
    ("segment", "TEXT"),
    ("rent", "DOUBLE"),
    ("woz_value", "DOUBLE"),
    ("rooms", "BIGINT"),
    ("floor_area", "DOUBLE"),
    ("build_year", "BIGINT"),
    ("wws_points", "DOUBLE"),
    ("status", "TEXT"),
    ("source", "TEXT"),
]

HOUSEHOLD_COLUMNS: list[tuple[str, str]] = [
    ("household_id", "TEXT"),
    ("dwelling_id", "TEXT"),
    ("size", "BIGINT"),
    ("type", "TEXT"),
    ("age_head", "BIGINT"),
    ("income", "DOUBLE"),
    ("income_source", "TEXT"),
    ("vulnerable_care", "BOOLEAN"),
    ("statushouder", "BOOLEAN"),
    ("urgent", "BOOLEAN"),
    ("years_in_dwelling", "BIGINT"),
    ("years_in_municipality", "BIGINT"),
    ("crucial_profession", "BOOLEAN"),
    ("registration_years", "DOUBLE"),
    ("source", "TEXT"),
]

TABLES: dict[str, list[tuple[str, str]]] = {
    "meta": [("key", "TEXT"), ("value", "TEXT")],
    "provenance": [
        ("import_id", "TEXT"),
        ("kind", "TEXT"),
        ("file", "TEXT"),
        ("sha256", "TEXT"),
        ("table_id", "TEXT"),
        ("year", "BIGINT"),
        ("imported_at", "TIMESTAMP"),
        ("rows", "BIGINT"),
        ("attribution", "TEXT"),
        ("wijkmix_version", "TEXT"),
    ],
    # one row per area and indeling year
    "areas": [
        ("code", "TEXT"),
        ("name", "TEXT"),
        ("level", "TEXT"),
        ("parent", "TEXT"),
        ("gemeente_code", "TEXT"),
        ("year", "BIGINT"),
        ("source", "TEXT"),
    ],
    # long table of area statistics (CBS KWB and later sources)
    "area_stats": [
        ("area_code", "TEXT"),
        ("level", "TEXT"),
        ("year", "BIGINT"),
        ("concept", "TEXT"),
        ("value", "DOUBLE"),
        ("unit", "TEXT"),
        ("source", "TEXT"),
    ],
    # long table of Leefbaarometer scores and classes
    "lbm_scores": [
        ("area_code", "TEXT"),
        ("level", "TEXT"),
        ("year", "BIGINT"),
        ("version", "TEXT"),
        ("indicator", "TEXT"),
        ("value", "DOUBLE"),
        ("source", "TEXT"),
    ],
    "dwellings": DWELLING_COLUMNS,
    "households": HOUSEHOLD_COLUMNS,
    "boundaries": [
        ("area_code", "TEXT"),
        ("level", "TEXT"),
        ("year", "BIGINT"),
        ("name", "TEXT"),
        ("geometry", "TEXT"),  # GeoJSON geometry object as text; NULL when absent
        ("attribution", "TEXT"),
        ("source", "TEXT"),
    ],
    # results of analyses (long): one row per area, measure and category
    "results": [
        ("run_id", "TEXT"),
        ("kind", "TEXT"),
        ("gemeente_code", "TEXT"),
        ("level", "TEXT"),
        ("area_code", "TEXT"),
        ("measure", "TEXT"),
        ("category", "TEXT"),
        ("value", "DOUBLE"),
        ("households", "DOUBLE"),
        ("params", "TEXT"),
        ("created_at", "TIMESTAMP"),
        ("source", "TEXT"),
    ],
    # measured values per indicator, area and year (monitor of a plan)
    "monitor_values": [
        ("indicator", "TEXT"),
        ("area_code", "TEXT"),
        ("level", "TEXT"),
        ("year", "BIGINT"),
        ("value", "DOUBLE"),
        ("unit", "TEXT"),
        ("kind", "TEXT"),
        ("respondents", "BIGINT"),
        ("source", "TEXT"),
    ],
    # fit of a synthetic population: target against generated per buurt and concept
    "synth_fit": [
        ("gemeente_code", "TEXT"),
        ("area_code", "TEXT"),
        ("concept", "TEXT"),
        ("target", "DOUBLE"),
        ("generated", "DOUBLE"),
        ("borrowed_from", "TEXT"),
        ("seed", "BIGINT"),
        ("source", "TEXT"),
    ],
}
