"""Storage: one interface (:class:`Store`), an embedded DuckDB backend by default."""

from __future__ import annotations

from pathlib import Path

from wijkmix.store.base import ImportResult, Store, file_sha256
from wijkmix.store.duckdb_store import DuckDBStore
from wijkmix.store.schema import SCHEMA_VERSION, TABLES

__all__ = [
    "DEFAULT_DB",
    "SCHEMA_VERSION",
    "TABLES",
    "DuckDBStore",
    "ImportResult",
    "Store",
    "file_sha256",
    "open_store",
]

#: The default database file, in the working directory.
DEFAULT_DB = "wijkmix.duckdb"


def open_store(db: str | Path = DEFAULT_DB, *, create: bool = True) -> Store:
    """Open (and with ``create`` initialise) the store at ``db``.

    Parameters
    ----------
    db : str or Path
        A DuckDB file path (default ``wijkmix.duckdb``) or ``":memory:"``.
    create : bool, default True
        Create the tables when missing; otherwise the store must exist and
        have the current schema version.
    """
    store = DuckDBStore(db)
    if create:
        store.init()
    else:
        store.check_schema()
    return store
