"""The replay environment's recipe: where it goes, when it counts as made, and a failed install said in one line
with the command to run, leaving no half environment behind."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from newsarchive.errors import ReplayFailed
from newsarchive.replay.env import REQUIREMENTS, STAMP, VENV_ENV, ReplayEnv, default_location


def test_it_goes_beside_the_projects_virtualenv_unless_told(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(VENV_ENV, raising=False)
    assert sys.prefix != sys.base_prefix  # the tests run in .venv
    assert default_location() == Path(sys.prefix).parent / ".venv-replay"
    monkeypatch.setenv(VENV_ENV, str(tmp_path / "elsewhere"))
    assert ReplayEnv().path == tmp_path / "elsewhere"


def test_made_means_a_python_and_a_stamp_of_these_requirements(tmp_path: Path) -> None:
    env = ReplayEnv(tmp_path / "venv")
    assert not env.ready
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    env.python.write_text("")
    assert not env.ready
    (tmp_path / "venv" / STAMP).write_text("pywb==2.9\n")
    assert not env.ready  # other requirements: installed again
    (tmp_path / "venv" / STAMP).write_text("\n".join(REQUIREMENTS) + "\n")
    assert env.ready and env.ensure(say=lambda line: pytest.fail("nothing to do")) is env
    assert env.bin("wayback") == tmp_path / "venv" / "bin" / "wayback"


def test_a_place_that_cannot_be_written_is_one_line_with_the_command(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    env = ReplayEnv(tmp_path / "a-file" / "venv")
    with pytest.raises(ReplayFailed) as failed:
        env.ensure(say=lambda line: None)
    assert "make replay-venv" in str(failed.value) and "NEWSARCHIVE_REPLAY_VENV" in str(failed.value)
    assert "\n" not in str(failed.value)


@pytest.mark.e2e
def test_a_failed_install_leaves_no_half_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pip finds nothing to install (no index, an empty folder of wheels): one line, and the new virtualenv gone,
    so the next run installs again instead of taking half an environment for a made one."""
    (tmp_path / "wheels").mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "wheels"))
    env = ReplayEnv(tmp_path / "venv")
    said: list[str] = []
    with pytest.raises(ReplayFailed) as failed:
        env.ensure(say=said.append)
    assert said and "installing the replay environment" in said[0]
    assert "pip exited" in str(failed.value) and "make replay-venv" in str(failed.value)
    assert not env.path.exists() and not env.ready
