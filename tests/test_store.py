import pandas as pd
import pytest

from wijkmix.errors import SchemaVersionError, StoreError
from wijkmix.store import SCHEMA_VERSION, TABLES, file_sha256, open_store


def _areas(n):
    return pd.DataFrame(
        {"code": [f"BU0518{i:04d}" for i in range(n)], "level": "buurt", "year": 2019}
    )


def test_init_creates_every_table_and_version(tmp_path):
    db = tmp_path / "w.duckdb"
    with open_store(db) as s:
        assert set(TABLES) <= set(s.tables())
        v = s.query("SELECT value FROM meta WHERE key='schema_version'")["value"].iloc[0]
        assert v == str(SCHEMA_VERSION)
    with open_store(db, create=False) as s:  # reopen checks the version
        assert s.count("areas") == 0


def test_other_schema_version_is_refused(tmp_path):
    db = tmp_path / "w.duckdb"
    with open_store(db) as s:
        s.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(SchemaVersionError, match="schema version 999"):
        open_store(db, create=False)


def test_not_a_wijkmix_db(tmp_path):
    import duckdb

    db = tmp_path / "other.duckdb"
    duckdb.connect(str(db)).close()
    with pytest.raises(StoreError, match="not a wijkmix database"):
        open_store(db, create=False)


def test_import_twice_changes_nothing():
    s = open_store(":memory:")
    r1 = s.import_frames(kind="t", source="a.csv", sha256="x" * 64, frames={"areas": _areas(3)})
    r2 = s.import_frames(kind="t", source="a.csv", sha256="x" * 64, frames={"areas": _areas(3)})
    assert r1.rows == {"areas": 3} and not r1.skipped
    assert r2.skipped and r2.rows == {}
    assert s.count("areas") == 3
    assert s.count("provenance") == 1
    assert s.read("areas")["source"].unique().tolist() == ["a.csv"]


def test_new_version_of_source_replaces_rows():
    s = open_store(":memory:")
    s.import_frames(kind="t", source="a.csv", sha256="1", frames={"areas": _areas(3)})
    s.import_frames(
        kind="t",
        source="a.csv",
        sha256="2",
        frames={"areas": _areas(5)},
        replace={"areas": {"source": "a.csv"}},
    )
    assert s.count("areas") == 5
    assert s.count("provenance") == 2


def test_failed_import_writes_nothing():
    s = open_store(":memory:")
    s.import_frames(kind="t", source="a.csv", sha256="1", frames={"areas": _areas(2)})
    bad = _areas(2).assign(year="not a year")
    with pytest.raises(Exception):  # noqa: B017 - the backend's conversion error
        s.import_frames(
            kind="t",
            source="b.csv",
            sha256="2",
            frames={"area_stats": pd.DataFrame({"area_code": ["X"], "value": [1.0]}), "areas": bad},
        )
    assert s.count("areas") == 2
    assert s.count("area_stats") == 0
    assert s.count("provenance") == 1


def test_unknown_column_and_table():
    s = open_store(":memory:")
    with pytest.raises(StoreError, match="not in table areas"):
        s.import_frames(kind="t", source="x", sha256="1", frames={"areas": _areas(1).assign(zz=1)})
    from wijkmix.errors import InputError

    with pytest.raises(InputError, match="unknown table"):
        s.read("nope")
    with pytest.raises(InputError, match="unknown column"):
        s.read("areas", {"nope": 1})


def test_read_filters(tmp_path):
    s = open_store(":memory:")
    s.import_frames(kind="t", source="a", sha256="1", frames={"areas": _areas(4)})
    got = s.read("areas", {"code": ["BU05180001", "BU05180003"]})
    assert sorted(got["code"]) == ["BU05180001", "BU05180003"]
    assert s.read("areas", {"code": []}).empty


def test_sha256(tmp_path):
    import hashlib

    p = tmp_path / "f.txt"
    p.write_bytes(b"wijkmix")
    assert file_sha256(p) == hashlib.sha256(b"wijkmix").hexdigest()
