"""The reviewer's findings on the views: the window of `changes`, references without a link on
the page, `runs_until` of an ended measure, the matrix's marker of press reports, stderr hints
wrapped at word boundaries, and the wording of bad options."""

import datetime as dt

import pytest

import reetimeline.api as ree
from reetimeline.errors import UsageError

# --- 1. changes look back: a bound after the as-of date is a usage error ------------------------


def test_changes_until_after_the_as_of_date_is_a_usage_error(run, tmp_path):
    result = run("changes", "--as-of", "2026-12-07", "--since", "2026-12-20", "--until",
                 "2027-02-01", "-o", str(tmp_path / "z.xlsx"))  # fmt: skip
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "reetimeline: error: --until 2027-02-01 is after the as-of date 2026-12-07; changes look "
        "back: give --as-of 2027-02-01, or see what is scheduled with countdown\n")  # fmt: skip
    assert not (tmp_path / "z.xlsx").exists()


def test_changes_since_after_the_as_of_date_is_a_usage_error(run):
    result = run("changes", "--as-of", "2026-12-07", "--since", "2027")
    assert result.exit_code == 2
    assert result.stderr == (
        "reetimeline: error: --since 2027 is after the as-of date 2026-12-07; changes look "
        "back: give --as-of 2027-01-01, or see what is scheduled with countdown\n")  # fmt: skip


def test_changes_until_a_month_that_holds_the_as_of_date_ends_on_it(run, tmp_path):
    import openpyxl

    path = tmp_path / "c.xlsx"
    result = run("changes", "--as-of", "2026-12-07", "--until", "2026-12", "-o", str(path))
    assert result.exit_code == 0
    about = dict(openpyxl.load_workbook(path)["about"].iter_rows(values_only=True))
    assert about["window"] == "2026-11-30 to 2026-12-07"


def test_python_changes_refuses_a_last_day_after_as_of():
    with pytest.raises(UsageError) as caught:
        ree.changes(as_of=dt.date(2026, 12, 7), last=dt.date(2027, 1, 1))
    assert str(caught.value) == ("last 2027-01-01 is after the as-of date 2026-12-07; changes "
                                 "look back: give as_of 2027-01-01, or see what is scheduled with "
                                 "countdown")  # fmt: skip
