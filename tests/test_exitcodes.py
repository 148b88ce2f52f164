"""newsarchive.exitcodes: every error newsarchive raises has its documented exit code, in one table."""

from __future__ import annotations

import inspect

import pytest

from newsarchive import errors
from newsarchive.exitcodes import DESCRIPTIONS, ERROR_CODES, Exit, exit_code_for, help_text

#: what each code answers to, as the README documents it (a contract with cron jobs: never renumbered)
DOCUMENTED: dict[Exit, set[type[Exception]]] = {
    Exit.USAGE: {errors.UserError, errors.InvalidArgument, errors.StoreNotFound, errors.ReplayFailed},
    Exit.BAD_INPUT: {errors.NoRecords, errors.ArticleNotFound, errors.NotAnArticle, errors.KeyNotFound,
                     errors.CaptureDamaged},
    Exit.STORE_UNREACHABLE: {errors.StoreError, errors.StoreUnreachable, errors.FrontierUnreachable},
    Exit.STORE_DENIED: {errors.StoreDenied},
    Exit.STORE_WRITE_FAILED: {errors.StoreWriteFailed, errors.CacheNotWritable},
    Exit.LOCKED: {errors.LockHeld},
}
CODE_OF = {cls: code for code, classes in DOCUMENTED.items() for cls in classes}

ERROR_CLASSES = [cls for _, cls in inspect.getmembers(errors, inspect.isclass)
                 if issubclass(cls, Exception) and cls.__module__ == errors.__name__]


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_class_has_its_documented_code(cls: type[Exception]) -> None:
    assert cls in ERROR_CODES, f"{cls.__name__} has no exit code in ERROR_CODES"
    assert exit_code_for(cls("one line")) is CODE_OF[cls]


def test_the_table_holds_exactly_the_error_classes() -> None:
    assert set(ERROR_CODES) == set(ERROR_CLASSES) == set(CODE_OF)


def test_a_subclass_takes_its_nearest_ancestors_code() -> None:
    class DiskFull(errors.StoreWriteFailed):
        pass

    class OddArgument(errors.InvalidArgument):
        pass

    assert exit_code_for(DiskFull("x")) is Exit.STORE_WRITE_FAILED
    assert exit_code_for(OddArgument("x")) is Exit.USAGE


@pytest.mark.parametrize("exc", [ValueError("x"), KeyError("x"), OSError(28, "No space left"), RuntimeError("x"),
                                 AssertionError("x"), KeyboardInterrupt()])
def test_anything_else_is_a_bug(exc: BaseException) -> None:
    """Even a ValueError or KeyError that shares a base with a user error: only newsarchive's errors have codes."""
    assert exit_code_for(exc) is Exit.INTERNAL


def test_codes_are_never_renumbered() -> None:
    assert [(c.name, c.value) for c in Exit] == [
        ("OK", 0), ("INTERNAL", 1), ("USAGE", 2), ("BAD_INPUT", 3), ("PARTIAL", 4), ("STORE_UNREACHABLE", 5),
        ("STORE_DENIED", 6), ("LOCKED", 7), ("LAYOUT_CHANGED", 8), ("VERIFY_FAILED", 9), ("STORE_WRITE_FAILED", 10),
        ("SPOOLED", 11), ("GAPS_FOUND", 12), ("SITE_UNREACHABLE", 13),
    ]


def test_every_code_is_described_in_the_help() -> None:
    assert set(DESCRIPTIONS) == set(Exit)
    text = help_text()
    assert text.startswith("Exit codes: 0 success; 1 internal error")
    for code in Exit:
        assert f"{code.value} {DESCRIPTIONS[code]}" in text
    assert Exit.table().splitlines()[13] == " 13  SITE_UNREACHABLE"
