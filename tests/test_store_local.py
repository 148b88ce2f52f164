"""newsarchive.store.local.LocalStore: folders made once per store object, made again if removed under it;
objects written without fsync (durable=False) are written whole all the same."""

from __future__ import annotations

import shutil
from pathlib import Path

from newsarchive.store import LocalStore


def test_a_folder_removed_during_a_run_is_made_again(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "archive")
    store.put_bytes("records/2024/10/16/2003835421.json", b"{}")
    shutil.rmtree(tmp_path / "archive" / "records")
    store.put_bytes("records/2024/10/16/2003835422.json", b"{\"id\": 2}")
    assert store.get_bytes("records/2024/10/16/2003835422.json") == b"{\"id\": 2}"
    shutil.rmtree(store.tmp_dir)
    shutil.rmtree(tmp_path / "archive" / "records")
    store.put_bytes("records/2024/10/16/2003835423.json", b"{}", durable=False)
    assert store.exists("records/2024/10/16/2003835423.json")


def test_a_write_without_fsync_is_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "archive")
    store.put_bytes("state/articles/2003835421.json", b"x" * 100_000, durable=False)
    assert store.get_bytes("state/articles/2003835421.json") == b"x" * 100_000
    assert not any(p.is_file() for p in store.tmp_dir.iterdir())
