"""newsarchive.archive.keys: the store layout (a public contract), built only from validated ids and dates."""

from __future__ import annotations

import datetime as dt

import pytest

from newsarchive.archive.keys import (
    LOCK_KEY,
    cdxj_key,
    history_key,
    parse_record_key,
    record_key,
    run_key,
    safe_name,
    state_key,
    warc_key,
)
from newsarchive.errors import InvalidArgument

TAIPEI = dt.timezone(dt.timedelta(hours=8))


def test_the_documented_layout() -> None:
    day = dt.date(2028, 2, 29)
    assert record_key("2003634936", day) == "records/2028/02/29/2003634936.json"
    assert state_key("2003634936") == "state/articles/2003634936.json"
    assert run_key("20240101T000000Z-host-1") == "runs/20240101T000000Z-host-1.json"
    assert LOCK_KEY == "state/lock.json"


def test_history_keys_are_by_print_date_then_fetch_time_in_utc() -> None:
    fetched = dt.datetime(2032, 1, 1, 7, 30, 0, 123456, tzinfo=TAIPEI)  # still 2031 in UTC
    assert history_key("2003634936", dt.date(2031, 12, 31), fetched) == \
        "history/2031/12/31/2003634936/20311231T233000123456Z.json"


def test_warc_keys_are_by_capture_day_in_utc() -> None:
    captured = dt.datetime(2027, 3, 1, 2, 0, tzinfo=TAIPEI)  # 2027-02-28 18:00 UTC
    assert warc_key(captured, "TT-x-00000-h.warc.gz") == "warc/2027/02/28/TT-x-00000-h.warc.gz"


def test_cdxj_sits_beside_its_warc() -> None:
    assert cdxj_key("warc/2024/10/16/TT-1-00000-h.warc.gz") == "warc/2024/10/16/TT-1-00000-h.cdxj"
    assert cdxj_key("warc/2024/10/16/odd.warc") == "warc/2024/10/16/odd.warc.cdxj"


def test_record_keys_read_back() -> None:
    assert parse_record_key("records/2028/02/29/2003634936.json") == ("2003634936", dt.date(2028, 2, 29))
    for key in ["records/2028/02/29/2003634936.json.tmp", "history/2028/02/29/2003634936.json",
                "records/2028/2/29/2003634936.json", "records/2028/02/29/200363493.json", "runs/x.json",
                "records/2028/02/29/sub/2003634936.json"]:
        assert parse_record_key(key) is None, key


@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "2003634936/../x", "", "abc"])
def test_ids_that_are_not_ids_never_become_keys(bad_id: str) -> None:
    day = dt.date(2024, 10, 16)
    for build in (lambda: record_key(bad_id, day), lambda: state_key(bad_id),
                  lambda: history_key(bad_id, day, dt.datetime(2024, 10, 16, tzinfo=dt.UTC))):
        with pytest.raises(InvalidArgument):
            build()


def test_dates_must_be_dates() -> None:
    with pytest.raises(TypeError, match="not a date"):
        record_key("2003634936", "2024-10-16")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["..", "a/b", ".hidden", "", "a..b", "-x", "a b", "x" * 202])
def test_generated_names_are_single_safe_segments(name: str) -> None:
    with pytest.raises(ValueError, match="unsafe name"):
        safe_name(name)
    with pytest.raises(ValueError):
        run_key(name)


def test_safe_names_pass() -> None:
    assert safe_name("TT-20240101000000000000-00001-host-1.warc.gz") == "TT-20240101000000000000-00001-host-1.warc.gz"
