"""The environment pywb runs in: a virtualenv of its own, `.venv-replay`, made on demand.

pywb cannot share the project's environment: it pins `redis==2.10.6` where
scrapy-redis needs `redis>=5`, and brings its own warcio, werkzeug and gevent.
So it gets a virtualenv beside the project's, with py-wacz (`wacz validate`,
for archivists checking a package) and boto3 (pywb reads S3 stores through it).

There is one recipe, `ensure()`: `make replay-venv` runs it (`python -m
newsarchive.replay.env PATH`), `newsarchive replay` runs it when the
environment is missing, and so do the tests. A stamp file inside records the
requirements it was made with; different requirements mean a new install into
the same environment. Creation takes about 20 s and needs the package index.

Where: `$NEWSARCHIVE_REPLAY_VENV` if set; else, when newsarchive runs from a
virtualenv (the project's `.venv`), `.venv-replay` beside it; else
`<cache>/venv-replay`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from newsarchive.cache import cache_root
from newsarchive.errors import ReplayFailed

VENV_ENV = "NEWSARCHIVE_REPLAY_VENV"
#: pywb 2.10 is what the research verified (id_ replay byte for byte, S3, --unpack-wacz); py-wacz 0.6 likewise
REQUIREMENTS = ("pywb>=2.10,<2.11", "wacz>=0.6,<0.7", "boto3>=1.28")
STAMP = ".newsarchive-replay"
MAKE_COMMAND = "make replay-venv"


def default_location() -> Path:
    if os.environ.get(VENV_ENV):
        return Path(os.environ[VENV_ENV]).expanduser().absolute()
    if sys.prefix != sys.base_prefix:  # a virtualenv: put the replay one beside it
        return Path(sys.prefix).parent / ".venv-replay"
    return cache_root() / "venv-replay"


class ReplayEnv:
    """A replay environment at `path` (made or not)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).absolute() if path else default_location()

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    def bin(self, name: str) -> Path:
        """A program of the environment (`wayback`, `wb-manager`, `wacz`)."""
        return self.path / "bin" / name

    @property
    def ready(self) -> bool:
        stamp = self.path / STAMP
        return self.python.exists() and stamp.exists() and stamp.read_text().split() == list(REQUIREMENTS)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Two processes asking at once (a test run and a replay) make it once."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.path.parent / f".{self.path.name}.lock", "w")
        except OSError as exc:
            raise ReplayFailed(f"cannot install the replay environment in {self.path} ({exc.strerror}); "
                               f"set {VENV_ENV} to a folder you can write, or run `{MAKE_COMMAND}`") from None
        with fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            yield

    def ensure(self, *, say: Callable[[str], object] = print) -> ReplayEnv:
        """Make the environment if it is missing or out of date; `say` gets one line when work starts."""
        if self.ready:
            return self
        with self._locked():
            if self.ready:  # made by another process while we waited
                return self
            say(f"newsarchive: installing the replay environment in {self.path} "
                f"({', '.join(REQUIREMENTS)}; once, about 20 s)")
            self._install()
        return self

    def _install(self) -> None:
        fresh = not self.python.exists()
        quiet = [] if sys.stderr.isatty() else ["--quiet"]
        steps = [[sys.executable, "-m", "venv", str(self.path)]] if fresh else []
        steps.append([str(self.python), "-m", "pip", "install", "--disable-pip-version-check", *quiet, *REQUIREMENTS])
        for step in steps:
            try:
                code = subprocess.call(step, stdout=sys.stderr, stdin=subprocess.DEVNULL)
            except OSError as exc:
                code, reason = -1, str(exc)
            else:
                reason = f"{Path(step[0]).name} {step[2]} exited {code}"
            if code != 0:
                if fresh:
                    shutil.rmtree(self.path, ignore_errors=True)  # half an environment would look made next time
                raise ReplayFailed(f"could not install the replay environment in {self.path} ({reason}); "
                                   f"run `{MAKE_COMMAND}` (or `python -m newsarchive.replay.env`) to see why")
        (self.path / STAMP).write_text("\n".join(REQUIREMENTS) + "\n")


def main(argv: list[str] | None = None) -> int:
    """`python -m newsarchive.replay.env [PATH]`: the recipe `make replay-venv` runs."""
    args = sys.argv[1:] if argv is None else argv
    env = ReplayEnv(args[0] if args else None)
    try:
        env.ensure(say=lambda line: print(line, file=sys.stderr))
    except ReplayFailed as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2
    print(f"replay environment ready: {env.path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
