import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wijkmix.areas import LEVELS, Hierarchy, level_rank, parent_code, parse_code
from wijkmix.errors import InputError

DIGITS = "0123456789"
ALNUM = DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def test_parse_strips_cbs_padding_and_keeps_leading_zeros():
    assert parse_code("GM0003    ").code == "GM0003"
    assert parse_code(" wk036301 ").code == "WK036301"
    assert parse_code("BU0363AF01").level == "buurt"


def test_levels_and_parents():
    assert parse_code("GM0518").level == "gemeente"
    assert parse_code("WK051801").level == "wijk"
    assert parent_code("BU05180170") == "WK051801"
    assert parent_code("WK051801") == "GM0518"
    assert parent_code("GM0518") is None
    assert parse_code("BU05180170").gemeente == "GM0518"
    assert LEVELS.index("portiek") < LEVELS.index("complex") < LEVELS.index("buurt")


@pytest.mark.parametrize(
    ("bad", "msg"),
    [
        ("XX0518", "starting with GM, WK or BU"),
        ("GM518", "GM followed by 4 characters"),
        ("WK05180", "WK followed by 6 characters"),
        ("BU0518017", "BU followed by 8 characters"),
        ("GMAB18", "4 digits"),
        ("BU0518-170", "BU followed by 8"),
    ],
)
def test_bad_codes_say_what_is_wrong(bad, msg):
    with pytest.raises(InputError, match=msg):
        parse_code(bad)


def test_number_is_not_a_code():
    with pytest.raises(InputError, match="read codes as strings"):
        parse_code(518)


def test_wrong_level():
    with pytest.raises(InputError, match="expected a buurt code"):
        parse_code("WK051801", level="buurt")


def test_level_rank_unknown():
    assert level_rank("adres") == 0
    with pytest.raises(InputError, match="unknown level"):
        level_rank("stadsdeel")


@given(
    prefix=st.sampled_from(["GM", "WK", "BU"]),
    gm=st.text(DIGITS, min_size=4, max_size=4),
    rest=st.text(ALNUM, min_size=4, max_size=4),
    left=st.integers(0, 3),
    right=st.integers(0, 6),
    lower=st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_parse_roundtrip_with_padding(prefix, gm, rest, left, right, lower):
    n = {"GM": 0, "WK": 2, "BU": 4}[prefix]
    code = prefix + gm + rest[:n]
    text = " " * left + (code.lower() if lower else code) + " " * right
    parsed = parse_code(text)
    assert parsed.code == code
    assert str(parsed) == code
    assert parsed.gemeente == "GM" + gm
    if prefix == "BU":
        assert parent_code(code) == "WK" + gm + rest[:2]


@given(st.text(min_size=0, max_size=12))
@settings(max_examples=300, deadline=None)
def test_random_text_is_a_code_or_an_input_error(text):
    try:
        c = parse_code(text)
    except InputError as exc:
        assert "invalid area code" in str(exc)
    else:
        assert c.code[:2] in {"GM", "WK", "BU"}
        assert len(c.code) in {6, 8, 10}


def test_hierarchy_from_codes():
    h = Hierarchy.from_cbs_codes(["BU05180170", "WK051801", "GM0518", "BU05180171"])
    assert h.levels() == ["buurt", "wijk", "gemeente"]
    assert h.codes("buurt") == ["BU05180170", "BU05180171"]
    assert h.parents()["BU05180171"] == "WK051801"
    assert h.parents()["GM0518"] is None


def test_hierarchy_buurt_without_its_wijk():
    with pytest.raises(InputError, match="parent not in the hierarchy"):
        Hierarchy.from_cbs_codes(["GM0518", "WK051801", "BU05180270"])


def test_hierarchy_duplicate_and_wrong_parent_level():
    dup = pd.DataFrame(
        {
            "code": ["c1", "c1", "b"],
            "level": ["complex", "complex", "buurt"],
            "parent": ["b", "b", None],
        }
    )
    with pytest.raises(
        InputError, match=r"exactly one parent\) in hierarchy, row 2, column 'code'"
    ):
        Hierarchy.from_frame(dup)
    skip = pd.DataFrame(
        {
            "code": ["p1", "c1", "b"],
            "level": ["portiek", "complex", "buurt"],
            "parent": ["b", "b", None],
        }
    )
    with pytest.raises(InputError, match=r"row 1, column 'parent'.*a complex as parent of p1"):
        Hierarchy.from_frame(skip)
