"""Run the `newsarchive` command as a user would: a real subprocess, real exit code, real stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    out: str
    err: str

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out[-2000:]!r}, err={self.err[-2000:]!r})"


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: str | Path | None = None,
            timeout: float = 300, input: str | None = None) -> Result:
    """`newsarchive ARGS` in a child process (python -m newsarchive, the same code as the console script)."""
    full_env = dict(os.environ)
    full_env.pop("NEWSARCHIVE_STORE", None)
    if env:
        full_env.update(env)
    proc = subprocess.run(
        [sys.executable, "-m", "newsarchive", *args],
        capture_output=True, text=True, env=full_env, cwd=cwd or REPO, timeout=timeout, input=input,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def assert_one_line_error(result: Result, code: int) -> None:
    """A user error: the documented exit code, one line on stderr, no traceback."""
    assert result.code == code, result
    assert "Traceback" not in result.err, result
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result


@pytest.fixture
def cli():
    return run_cli
