"""wijkmix: mengen met precisie.

See, try, decide and follow the mix of Dutch neighbourhoods: profiles and
segregation measures at every scale, a household/housing microsimulation,
checked plans and a monitor.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wijkmix")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from wijkmix.areas import LEVELS, AreaCode, Hierarchy, parse_code
from wijkmix.errors import InputError, InputErrors, Location, StoreError, WijkmixError

__all__ = [
    "LEVELS",
    "AreaCode",
    "Hierarchy",
    "InputError",
    "InputErrors",
    "Location",
    "StoreError",
    "WijkmixError",
    "__version__",
    "parse_code",
]
