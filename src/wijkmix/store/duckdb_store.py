"""The embedded DuckDB backend (the default store, one file)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from wijkmix.errors import StoreError
from wijkmix.store.base import Store
from wijkmix.store.schema import TABLES

__all__ = ["DuckDBStore"]


class DuckDBStore(Store):
    """A store in one DuckDB file.

    Parameters
    ----------
    path : str or Path
        The database file; ``":memory:"`` for a store in memory.
    read_only : bool, default False
        Open without write access.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.location = str(path)
        try:
            self._con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:  # pragma: no cover - depends on the file system
            raise StoreError(f"cannot open DuckDB database {path}: {exc}") from exc
        self._depth = 0

    def execute(self, sql: str, params: list[Any] | None = None) -> None:
        """Run one statement that returns nothing."""
        self._con.execute(sql, params or [])

    def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run a query and return a data frame."""
        return self._con.execute(sql, params or []).df()

    def append(self, table: str, frame: pd.DataFrame) -> None:
        """Append rows; values are cast to the declared column types."""
        types = dict(TABLES[table])
        name = f"_wm_append_{table}"
        self._con.register(name, frame)
        try:
            select = ", ".join(f"CAST({c} AS {types[c]}) AS {c}" for c in frame.columns)
            cols = ", ".join(frame.columns)
            self._con.execute(f"INSERT INTO {table} ({cols}) SELECT {select} FROM {name}")
        finally:
            self._con.unregister(name)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction; nested calls join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._con.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._con.execute("ROLLBACK")
            raise
        else:
            self._depth = 0
            self._con.execute("COMMIT")

    def tables(self) -> list[str]:
        """Names of the tables in the main schema."""
        q = self._con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
        return sorted(r[0] for r in q)

    def close(self) -> None:
        """Close the connection."""
        self._con.close()
