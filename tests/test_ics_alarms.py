"""ICS reminders before every kind of target the user asks for (issue 24): `--alarm 7
--alarm-on effective,expires`; by default before each current expiry only, as before."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

AS_OF = ("--as-of", "2026-11-25")


def alarms(result, uid_start: str = "") -> dict[str, list[dt.timedelta]]:
    """UID -> the VALARM triggers of that VEVENT, for the VEVENTs whose UID starts so."""
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    calendar = icalendar.Calendar.from_ical(result.stdout)
    return {
        str(vevent["uid"]): [alarm.decoded("trigger") for alarm in vevent.walk("VALARM")]
        for vevent in calendar.walk("VEVENT")
        if str(vevent["uid"]).startswith(uid_start)
    }


def test_the_dfars_rule_gets_a_reminder_7_days_before_it_takes_effect(run):
    result = run("export", "-f", "ics", "--alarm", "7", "--alarm-on", "effective,expires",
                 "-m", "magnets", *AS_OF)  # fmt: skip
    assert alarms(result, "dfars-magnet-sourcing-rule") == {
        "dfars-magnet-sourcing-rule-date@reetimeline": [],
        "dfars-magnet-sourcing-rule-effective@reetimeline": [dt.timedelta(days=-7)],
    }
    calendar = icalendar.Calendar.from_ical(result.stdout)
    [effective] = [v for v in calendar.walk("VEVENT")
                   if v["uid"] == "dfars-magnet-sourcing-rule-effective@reetimeline"]  # fmt: skip
    assert effective.decoded("dtstart") == dt.date(2027, 1, 1)
    [alarm] = effective.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert str(alarm["description"]).startswith("In 7 days: Takes effect: DoD final rule: ")


def test_by_default_only_expiries_get_reminders(run):
    found = alarms(run("export", "-f", "ics", "--alarm", "3", *AS_OF))
    with_alarm = sorted(uid for uid, triggers in found.items() if triggers)
    assert with_alarm and all(uid.endswith("-expires@reetimeline") for uid in with_alarm)
    assert {t for uid in with_alarm for t in found[uid]} == {dt.timedelta(days=-3)}
    assert found["dfars-magnet-sourcing-rule-effective@reetimeline"] == []
    explicit = alarms(run("export", "-f", "ics", "--alarm", "3", "--alarm-on", "expires", *AS_OF))
    assert explicit == found


def test_each_kind_asked_for_gets_its_reminder_and_a_replaced_end_none(run):
    """mofcom-suspends-us-ga-ge-sb-ban: dated 2025-11-09, expiring 2026-11-27; kinds are
    read case-blind, repeated or comma-separated."""
    result = run("export", "-f", "ics", "--alarm", "1", "--alarm-on", "date",
                 "--alarm-on", "EXPIRES", "-m", "gallium", *AS_OF)  # fmt: skip
    found = alarms(result, "mofcom-suspends-us-ga-ge-sb-ban")
    assert found == {
        "mofcom-suspends-us-ga-ge-sb-ban-date@reetimeline": [dt.timedelta(days=-1)],
        "mofcom-suspends-us-ga-ge-sb-ban-expires@reetimeline": [dt.timedelta(days=-1)],
    }
    # an end that an extension replaced is not a deadline: no reminder before it
    busan = alarms(run("export", "-f", "ics", "--alarm", "1", "--alarm-on", "expires",
                       *AS_OF), "busan-trump-xi-summit")  # fmt: skip
    assert busan == {
        "busan-trump-xi-summit-date@reetimeline": [],
        "busan-trump-xi-summit-expires@reetimeline": [dt.timedelta(days=-1)],
        "busan-trump-xi-summit-expires-original@reetimeline": [],
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--alarm", "7", "--alarm-on", "effective,expiry"],
         "--alarm-on: unknown kind 'expiry' (did you mean 'expires'?); choose date, effective, "
         "expires (comma-separated)"),
        (["--alarm", "7", "--alarm-on", ","],
         "--alarm-on: give one or more of date, effective, expires"),
        (["--alarm-on", "effective"], "--alarm-on goes with --alarm DAYS"),
    ],
)  # fmt: skip
def test_a_bad_alarm_on_is_a_usage_error_of_one_line(run, args, message):
    result = run("export", "-f", "ics", *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"reetimeline: error: {message}\n"


def test_alarm_on_completes_each_item_of_the_list():
    from reetimeline.cli import completion

    assert completion.target_kinds(None, "e") == ["effective", "expires"]
    assert completion.target_kinds(None, "effective,ex") == ["effective,expires"]


def test_the_python_api_takes_the_kinds_too():
    import reetimeline

    text = reetimeline.export(fmt="ics", as_of=dt.date(2026, 11, 25), alarm_days=7,
                              alarm_on=("effective",), minerals=["magnets"])  # fmt: skip
    calendar = icalendar.Calendar.from_ical(text)
    with_alarm = [str(v["uid"]) for v in calendar.walk("VEVENT") if v.walk("VALARM")]
    assert "dfars-magnet-sourcing-rule-effective@reetimeline" in with_alarm
    assert all(uid.endswith("-effective@reetimeline") for uid in with_alarm)
