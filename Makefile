PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Everything `make install` puts in $(VENV) comes from this lock (runtime + dev, with hashes).
LOCK := requirements-dev.lock

# `make lock` regenerates requirements.lock and requirements-dev.lock from pyproject.toml with this
# pip-tools, in a throwaway venv of its own; the dev lock is constrained to the runtime pins. Existing pins are kept where they still fit;
# `make lock LOCK_FLAGS=--upgrade` moves everything to the newest allowed versions.
PIP_TOOLS := pip-tools==7.6.2
LOCK_VENV := .venv-lock
LOCK_FLAGS ?=
PIP_COMPILE = $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --all-build-deps \
	--strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_FLAGS)

.PHONY: install lock run migrate test lint bench bench-search rush mutate clean

# The venv is rebuilt from scratch whenever the lock changes, so it holds exactly the locked set.
# The venv's own pip (the one bundled with $(PYTHON)) is used as is: no upgrade from the network.
# setuptools is in the lock (it is the build backend), so the editable install needs no build isolation.
$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv --clear $(VENV)
	$(PY) -m pip install -q --require-hashes -r $(LOCK)
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	touch $(STAMP)

install: $(STAMP)

lock:
	test -x $(LOCK_VENV)/bin/pip-compile || { $(PYTHON) -m venv --clear $(LOCK_VENV) && \
		$(LOCK_VENV)/bin/python -m pip install -q $(PIP_TOOLS); }
	$(PIP_COMPILE) --output-file=requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra=dev --constraint=requirements.lock --output-file=requirements-dev.lock pyproject.toml

migrate: install
	$(PY) -m alembic upgrade head

run: install
	$(PY) -m bot  # migrates at start-up

lint: install
	$(PY) -m ruff check .

test: install lint
	$(PY) -m pytest

bench: install
	$(PY) -m bench.checkout_race

# Search at 100,000 events, SQLite and PostgreSQL, against a LIKE scan (bench/search.py); about 2 minutes.
bench-search: install
	$(PY) -m bench.search

# The on-sale rush through the real bot over HTTP (bench/rush.py): SQLite, then PostgreSQL; fails if either run did.
rush: install
	$(PY) -m bench.rush --db sqlite; sqlite=$$?; $(PY) -m bench.rush --db postgres && exit $$sqlite

# Mutation testing of domain/services and storage/repos ([tool.mutmut] in pyproject.toml); not part of CI.
# Needs PostgreSQL and Redis like `make test`. Resumes where it stopped; `make mutate MUTATE_FRESH=1`
# starts over. Prints the counts (mutants/mutmut-cicd-stats.json) and the mutants that survived.
MUTATE_FRESH ?=
mutate: install
	$(if $(MUTATE_FRESH),rm -rf mutants,)
	TEST_DB_REUSE=1 $(VENV)/bin/mutmut run --max-children 2
	$(VENV)/bin/mutmut export-cicd-stats && cat mutants/mutmut-cicd-stats.json && echo
	$(VENV)/bin/mutmut results

clean:
	rm -rf $(VENV) $(LOCK_VENV) data .pytest_cache .ruff_cache mutants
