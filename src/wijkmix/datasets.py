"""The real data shipped with wijkmix (demo and tests).

The files live in the package (``wijkmix/data``), with their provenance and
licence in ``wijkmix/data/PROVENANCE.md``. CBS data: CC BY 4.0, "Bron: CBS".
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from wijkmix.errors import InputError

__all__ = ["DEMO_GEMEENTEN", "DemoFiles", "data_path", "demo_files"]


def data_path(*parts: str) -> Path:
    """Path of a shipped data file, e.g. ``data_path("kwb", "denhaag_...csv")``."""
    p = Path(str(files("wijkmix").joinpath("data", *parts)))
    if not p.exists():
        raise InputError(
            "shipped data file not found",
            where="/".join(parts),
            expected="a file under wijkmix/data",
            found=str(p),
            hint="reinstall wijkmix; the package data may be incomplete",
        )
    return p


@dataclass(frozen=True)
class DemoFiles:
    """The shipped files for one demo gemeente."""

    gemeente: str
    name: str
    kwb: Path
    lbm_classes: Path
    lbm_dimensions: Path
    buurt_geometry: Path
    wijk_geometry: Path


#: The gemeenten with a complete shipped demo set: code → (name, KWB file stem).
DEMO_GEMEENTEN: dict[str, tuple[str, str]] = {
    "GM0518": ("'s-Gravenhage", "denhaag_kwb-2019_84583NED_statline.csv"),
    "GM0363": ("Amsterdam", "amsterdam_kwb-2019_84583NED_statline.csv"),
}


def demo_files(gemeente: str = "GM0518") -> DemoFiles:
    """The shipped KWB, Leefbaarometer and boundary files for a demo gemeente.

    Raises
    ------
    InputError
        If there is no shipped demo set for ``gemeente``.
    """
    code = gemeente.strip().upper()
    if code not in DEMO_GEMEENTEN:
        raise InputError(
            "no demo data for this gemeente",
            where="gemeente",
            expected="one of " + ", ".join(f"{k} ({v[0]})" for k, v in DEMO_GEMEENTEN.items()),
            found=gemeente,
        )
    name, kwb = DEMO_GEMEENTEN[code]
    return DemoFiles(
        gemeente=code,
        name=name,
        kwb=data_path("kwb", kwb),
        lbm_classes=data_path("leefbaarometer", "lbm2_wijk_klassen_2002-2016.xlsx"),
        lbm_dimensions=data_path("leefbaarometer", "lbm2_dimensiescore_wijk_stand.xlsx"),
        buurt_geometry=data_path("geo", f"buurt_2019_{code}.geojson"),
        wijk_geometry=data_path("geo", f"wijk_2019_{code}.geojson"),
    )
