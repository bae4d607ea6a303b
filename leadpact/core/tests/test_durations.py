import pytest

from leadpact.core.durations import Duration, parse_duration, parse_percent


@pytest.mark.parametrize("text,days,seconds", [("4h", 0, 14400), ("90m", 0, 5400), ("2d", 2, 0),
                                               ("1d 4h", 1, 14400), ("0h", 0, 0), (8, 0, 28800)])
def test_durations_parse(text, days, seconds):
    assert parse_duration(text) == Duration(days, seconds)


@pytest.mark.parametrize("text", ["soon", "4x", "", "h", True])
def test_bad_durations_say_how_to_write_one(text):
    with pytest.raises(ValueError, match="write it like 4h"):
        parse_duration(text)


def test_durations_read_as_words():
    assert Duration(0, 4 * 3600).words() == "4 business hours"
    assert Duration(1, 5400).words() == "1 business day 1 business hour 30 minutes"
    assert Duration(21, 0).words(business=False) == "21 days"


def test_percentages():
    assert parse_percent("75%") == 0.75
    assert parse_percent(0.9) == 0.9
    with pytest.raises(ValueError):
        parse_percent("175%")
