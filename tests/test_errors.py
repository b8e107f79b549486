import pytest

from wijkmix.errors import InputError, InputErrors, Location


def test_message_shape_names_where_expected_found_hint():
    e = InputError(
        "invalid value",
        where=Location(file="hh.csv", row=17, column="income"),
        expected="a number",
        found="abc",
        hint="use a decimal comma",
    )
    assert str(e) == (
        "invalid value in hh.csv, row 17, column 'income': expected a number, "
        "found 'abc'. Hint: use a decimal comma"
    )
    assert isinstance(e, ValueError)


def test_field_location_from_string():
    e = InputError("too high", where="measures[2].share", expected="at most 50", found=60)
    assert "field 'measures[2].share'" in str(e)
    assert "found 60." in str(e)


def test_many_errors_listed_with_count():
    errs = [
        InputError("bad", where=Location(file="f", row=i, column="c"), expected="x", found=i)
        for i in range(1, 26)
    ]
    e = InputErrors(errs, source="f")
    text = str(e)
    assert text.startswith("25 problems in f; nothing was imported:")
    assert "row 20," in text and "row 21," not in text
    assert "... and 5 more" in text
    assert e.where.row == 1
    with pytest.raises(ValueError):
        InputErrors([], source="f")
