# The two commands of the README: `make crawl` and `make test`. Both create
# .venv from nothing, so a fresh machine needs only python3 and make.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
REPLAY_VENV ?= .venv-replay
STORE  ?= ./archive

.PHONY: crawl test check lint demo bench venv replay-venv clean chromium

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test: $(VENV)/.base pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.base

## replay-venv: pywb, py-wacz and boto3 in an environment of their own (pywb pins redis 2.10.6; scrapy-redis needs 5+).
## The same recipe `newsarchive replay` runs when it is missing.
$(REPLAY_VENV)/.newsarchive-replay: newsarchive/replay/env.py | $(VENV)/.base
	$(PY) -m newsarchive.replay.env $(REPLAY_VENV)

replay-venv: $(REPLAY_VENV)/.newsarchive-replay

## crawl: archive the last two print days of the Taipei Times into ./archive
crawl: $(VENV)/.base
	$(VENV)/bin/newsarchive crawl --store $(STORE)

## lint: ruff and mypy (configured in pyproject.toml)
lint: $(VENV)/.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

## check: the fast loop: lint, types and the unit tests (no process, no server)
check: lint
	$(PY) -m pytest -q -m "not e2e"

## test: lint, types, then the whole suite, starting its own servers (SeaweedFS, Valkey, Scrapyd, the local site)
## and a browser (Debian's chromium, installed by `make chromium` when missing)
test: lint replay-venv chromium
	$(PY) -m pytest

## chromium: the browser the reading room's tests drive, from the operating system's packages (never downloaded
## by a test); apt-get runs only when /usr/bin/chromium is missing
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## demo: serve the bundled copy of the site on 127.0.0.1, crawl it (no internet needed), then open the reading
## room on the archive and print its URL (Ctrl-C stops it)
demo: $(VENV)/.test
	$(PY) -m tests.site.demo --store $(STORE)

## bench: every benchmark under bench/, each against its baseline
bench: $(VENV)/.test replay-venv
	$(PY) bench/parse.py
	$(PY) bench/crawl.py
	$(PY) bench/query.py
	$(PY) bench/capture.py
	$(PY) bench/wacz.py
	$(PY) bench/replay.py
	$(PY) bench/research.py --size 100000
	$(PY) bench/webapp.py

clean:
	rm -rf $(VENV) $(REPLAY_VENV) build *.egg-info
