"""The one storage interface every backend implements.

A :class:`Store` holds the tables of :mod:`wijkmix.store.schema`. Writes happen
inside :meth:`Store.transaction`; an import is one transaction, so on any
error nothing is written. :meth:`Store.import_frames` is the single entry point
for importers: it checks whether the same file (by SHA-256) was imported
already, replaces the rows of an earlier import of the same source, writes the
new rows and records provenance, all in one transaction.
"""

from __future__ import annotations

import abc
import datetime as dt
import hashlib
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from wijkmix.errors import InputError, Location, StoreError
from wijkmix.store.schema import TABLES

__all__ = ["ImportResult", "Store", "file_sha256"]


def file_sha256(path: str | Path) -> str:
    """Return the SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class ImportResult:
    """What an import did.

    Attributes
    ----------
    kind : str
        ``kwb``, ``lbm``, ``registers``, ``geometry``, ``synth``.
    source : str
        File name (or label) of what was imported.
    sha256 : str
        Digest of the input.
    rows : Mapping[str, int]
        Rows written per table (empty when ``skipped``).
    skipped : bool
        True when the same input had been imported before: nothing changed.
    """

    kind: str
    source: str
    sha256: str
    rows: Mapping[str, int]
    skipped: bool


class Store(abc.ABC):
    """Abstract storage backend."""

    #: Human-readable location of the store (a file path or a URL without password).
    location: str

    # -- backend primitives -------------------------------------------------
    @abc.abstractmethod
    def execute(self, sql: str, params: list[Any] | None = None) -> None:
        """Run one statement that returns nothing."""

    @abc.abstractmethod
    def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run a query and return its rows as a data frame."""

    @abc.abstractmethod
    def append(self, table: str, frame: pd.DataFrame) -> None:
        """Append a frame's rows to ``table`` (columns matched by name)."""

    @abc.abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one transaction; roll back on any exception."""

    @abc.abstractmethod
    def tables(self) -> list[str]:
        """Names of the tables present."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close the connection."""

    # -- shared behaviour ------------------------------------------------------
    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, table: str, where: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Read a table, optionally filtered by equality on columns.

        Parameters
        ----------
        table : str
            A table of :data:`wijkmix.store.schema.TABLES`.
        where : mapping, optional
            ``{column: value}``; a list or tuple value means ``IN``.
        """
        cols = _columns(table)
        clauses: list[str] = []
        params: list[Any] = []
        for col, val in (where or {}).items():
            if col not in cols:
                raise InputError(
                    "unknown column",
                    where=Location(file=table, column=col),
                    expected="one of " + ", ".join(cols),
                    found=col,
                )
            if isinstance(val, (list, tuple, set)):
                vals = list(val)
                if not vals:
                    clauses.append("FALSE")
                    continue
                clauses.append(f"{col} IN ({', '.join('?' for _ in vals)})")
                params.extend(vals)
            else:
                clauses.append(f"{col} = ?")
                params.append(val)
        sql = f"SELECT {', '.join(cols)} FROM {table}"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        return self.query(sql, params)

    def count(self, table: str) -> int:
        """Number of rows in ``table``."""
        _columns(table)
        return int(self.query(f"SELECT COUNT(*) AS n FROM {table}")["n"].iloc[0])

    def init(self) -> None:
        """Create missing tables and record the schema version (idempotent)."""
        from wijkmix.store.schema import SCHEMA_VERSION

        with self.transaction():
            for name, cols in TABLES.items():
                self.execute(self._ddl(name, cols))
            meta = self.query("SELECT value FROM meta WHERE key = 'schema_version'")
            if meta.empty:
                self.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        self.check_schema()

    def check_schema(self) -> None:
        """Raise :class:`SchemaVersionError` if the store has another schema version."""
        from wijkmix.errors import SchemaVersionError
        from wijkmix.store.schema import SCHEMA_VERSION

        if "meta" not in self.tables():
            raise StoreError(
                f"{self.location} is not a wijkmix database (no meta table); "
                "run 'wijkmix init --db ...' first"
            )
        meta = self.query("SELECT value FROM meta WHERE key = 'schema_version'")
        found = None if meta.empty else meta["value"].iloc[0]
        if found != str(SCHEMA_VERSION):
            raise SchemaVersionError(
                f"{self.location} has schema version {found}, this wijkmix needs "
                f"{SCHEMA_VERSION}; make a new database with 'wijkmix init --db NEW'"
            )

    def _ddl(self, name: str, cols: list[tuple[str, str]]) -> str:
        body = ", ".join(f"{c} {t}" for c, t in cols)
        return f"CREATE TABLE IF NOT EXISTS {name} ({body})"

    def already_imported(self, kind: str, sha256: str) -> bool:
        """True when an input with this digest was imported as ``kind`` before."""
        q = self.query(
            "SELECT COUNT(*) AS n FROM provenance WHERE kind = ? AND sha256 = ?", [kind, sha256]
        )
        return bool(q["n"].iloc[0])

    def import_frames(
        self,
        *,
        kind: str,
        source: str,
        sha256: str,
        frames: Mapping[str, pd.DataFrame],
        replace: Mapping[str, Mapping[str, Any]] | None = None,
        table_id: str | None = None,
        year: int | None = None,
        attribution: str | None = None,
        force: bool = False,
    ) -> ImportResult:
        """Write frames and provenance in one transaction.

        Parameters
        ----------
        kind : str
            Kind of import (``kwb``, ``lbm``, ``registers``, ``geometry``, ``synth``).
        source : str
            File name or label, stored in every row's ``source`` column when the
            table has one.
        sha256 : str
            Digest of the input; an input already imported as ``kind`` is skipped.
        frames : mapping of table name to DataFrame
            Rows to append; columns must be a subset of the table's columns.
        replace : mapping, optional
            Per table, an equality filter of rows to delete first (for example
            the rows of an earlier version of the same source).
        force : bool, default False
            Import even when the digest is known (the earlier rows are replaced
            through ``replace``).
        """
        if not force and self.already_imported(kind, sha256):
            return ImportResult(kind, source, sha256, {}, True)
        written: dict[str, int] = {}
        with self.transaction():
            for table, filt in (replace or {}).items():
                cols = _columns(table)
                clauses = []
                params: list[Any] = []
                for col, val in filt.items():
                    if col not in cols:
                        raise StoreError(f"replace filter on unknown column {table}.{col}")
                    if isinstance(val, (list, tuple, set)):
                        vals = list(val)
                        if not vals:
                            clauses.append("FALSE")
                            continue
                        clauses.append(f"{col} IN ({', '.join('?' for _ in vals)})")
                        params.extend(vals)
                    else:
                        clauses.append(f"{col} = ?")
                        params.append(val)
                where = " AND ".join(clauses) if clauses else "TRUE"
                self.execute(f"DELETE FROM {table} WHERE {where}", params)
            for table, frame in frames.items():
                cols = _columns(table)
                extra = [c for c in frame.columns if c not in cols]
                if extra:
                    raise StoreError(f"columns {extra} are not in table {table}")
                out = frame.copy()
                if "source" in cols and "source" not in out.columns:
                    out["source"] = source
                for c in cols:
                    if c not in out.columns:
                        out[c] = None
                self.append(table, out[cols])
                written[table] = len(out)
            prov = pd.DataFrame(
                [
                    {
                        "import_id": uuid.uuid4().hex,
                        "kind": kind,
                        "file": source,
                        "sha256": sha256,
                        "table_id": table_id,
                        "year": year,
                        "imported_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
                        "rows": int(sum(written.values())),
                        "attribution": attribution,
                        "wijkmix_version": _version(),
                    }
                ]
            )
            if force:
                self.execute("DELETE FROM provenance WHERE kind = ? AND sha256 = ?", [kind, sha256])
            self.append("provenance", prov[_columns("provenance")])
        return ImportResult(kind, source, sha256, written, False)


def _columns(table: str) -> list[str]:
    if table not in TABLES:
        raise InputError(
            "unknown table",
            where="table",
            expected="one of " + ", ".join(TABLES),
            found=table,
        )
    return [c for c, _ in TABLES[table]]


def _version() -> str:
    from wijkmix import __version__

    return __version__
