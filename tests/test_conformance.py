"""Every public segregation index passes the conformance check; the check catches faults."""

import importlib

import numpy as np
import pytest

from wijkmix.errors import InputError
from wijkmix.measures import segregation as seg
from wijkmix.measures._counts import as_count_table
from wijkmix.measures.conformance import (
    INDEX_PROPERTIES,
    ConformanceError,
    IndexProperties,
    check_index,
    check_registered,
)


@pytest.mark.parametrize("name", seg.__all__)
def test_every_public_index_is_registered_and_conforms(name):
    key = f"segregation.{name}"
    assert key in INDEX_PROPERTIES, f"{key} has no entry in INDEX_PROPERTIES"
    result = check_registered(key, rng=np.random.default_rng(1))
    assert result.name == name
    props = INDEX_PROPERTIES[key]
    must = {"scale", "unit_order", "empty_unit", "rejects_invalid"}
    if props.kind == "multigroup":
        must.add("group_order")
    if props.bounded is not None:
        must.add("bounded")
    if props.at_even is not None:
        must.add("at_even")
    if props.at_separation is not None:
        must.add("at_separation")
    assert set(result.checked) == must


def test_registry_entries_name_existing_functions():
    for key in INDEX_PROPERTIES:
        module, func = key.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(f"wijkmix.measures.{module}"), func))


def test_declared_values_are_the_known_ones():
    # D at separation is 1; isolation at evenness is the group's share 2/5 (composition 2:3);
    # M at separation is the entropy of the group shares
    d = dict(check_registered("segregation.dissimilarity").values)
    assert d == {"even": pytest.approx(0.0, abs=1e-15), "separated": pytest.approx(1.0)}
    iso = check_registered("segregation.isolation").values
    assert iso["even"] == pytest.approx(0.4) and iso["separated"] == pytest.approx(1.0)
    m = check_registered("segregation.mutual_information").values["separated"]
    shares = np.array([5 + 2 + 3, 1 + 4, 9 + 7]) / 31  # units cycle over three groups
    assert m == pytest.approx(-(shares * np.log(shares)).sum())


# ---------------------------------------------------------------------------
# faulty indices are caught
# ---------------------------------------------------------------------------


def _validated(t):
    return as_count_table(t)


def scale_dependent(t):
    return min(1.0, float(_validated(t).sum()) / 1000)


def order_dependent(t):
    c = _validated(t)
    return float(c[0, 0] / max(c[0].sum(), 1.0))


def group_order_dependent(t):
    c = _validated(t)
    return float(c[:, 0].sum() / c.sum())


def unvalidated_dissimilarity(t):
    c = np.asarray(t, dtype=float)
    x, y = c[:, 0], c[:, 1]
    with np.errstate(all="ignore"):
        return float(np.abs(x / x.sum() - y / y.sum()).sum() / 2)


def doubled_dissimilarity(t):
    return 2 * seg.dissimilarity(t)


def constant(t):
    _validated(t)
    return 0.5


def crashes_on_empty_units(t):
    c = _validated(t)
    if (c.sum(axis=1) == 0).any():
        raise ZeroDivisionError("empty unit")
    return seg.multigroup_dissimilarity(c)


@pytest.mark.parametrize(
    ("fn", "kwargs", "violated"),
    [
        (scale_dependent, {}, "scale:"),
        (order_dependent, {"at_even": None, "at_separation": None}, "unit_order:"),
        (group_order_dependent, {"at_even": None, "at_separation": None}, "group_order:"),
        (unvalidated_dissimilarity, {"kind": "twogroup"}, "rejects_invalid: count -1.0 was"),
        (doubled_dissimilarity, {"kind": "twogroup"}, "bounded: 1.99"),
        (doubled_dissimilarity, {"kind": "twogroup"}, "at_separation: expected 1.0, got 1.99"),
        (constant, {}, "at_even: expected 0.0, got 0.5"),
        (crashes_on_empty_units, {}, "raised ZeroDivisionError: empty unit"),
    ],
)
def test_violations_are_reported(fn, kwargs, violated):
    with pytest.raises(ConformanceError) as info:
        check_index(fn, **kwargs)
    assert violated in str(info.value)
    assert str(info.value).startswith(f"{fn.__name__} fails conformance")
    assert isinstance(info.value, AssertionError)


def test_a_wrong_declaration_is_caught():
    # isolation is not 0 at evenness: declaring it so must fail
    with pytest.raises(ConformanceError, match=r"at_even: expected 0\.0, got 0\.[34]"):
        check_index(seg.isolation, kind="twogroup", at_even=0.0)


def test_unknown_kind_is_an_input_error():
    with pytest.raises(InputError, match="unknown index kind"):
        check_index(seg.gini, kind="pairs")  # type: ignore[arg-type]


def test_properties_are_frozen():
    props = IndexProperties("twogroup")
    with pytest.raises(AttributeError):
        props.kind = "multigroup"  # type: ignore[misc]
    with pytest.raises(TypeError):
        INDEX_PROPERTIES["segregation.new"] = props  # type: ignore[index]
