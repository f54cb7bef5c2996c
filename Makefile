# Broadside — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Where readers reach the site: every absolute link (canonical, og:url, hreflang, feeds,
# posts) starts with it. `make run PORT=19100` serves and links http://127.0.0.1:19100.
BASE_URL ?= $(or $(BROADSIDE_BASE_URL),http://$(HOST):$(PORT))
# Two stamps: `make run` needs the runtime dependencies only; `make test` and the other
# developer targets add the dev extra. Each is remade when pyproject.toml or constraints.txt
# changes.
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed
# Every install takes the versions pinned in constraints.txt (`make lock` writes it from
# pyproject.toml), so a new clone runs what the suite ran. uv installs them in seconds where
# pip takes minutes, first from its cache alone (a pinned version already downloaded needs no
# question to the index: 3 s instead of 30 s here), then from the index for what is missing;
# pip stands in when uv cannot be installed (docs/decisions.md). Both compile what they
# install to bytecode (pip by default, uv when asked): otherwise, wherever
# PYTHONDONTWRITEBYTECODE is set, every process would compile Django and Wagtail anew.
UV_INSTALL = $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -c constraints.txt
pip_install = if [ -x $(BIN)/uv ]; then $(UV_INSTALL) --offline $(1) 2> /dev/null || $(UV_INSTALL) $(1); \
	else $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt $(1); fi

.PHONY: run test install messages compilemessages lint format migrate demo worker clean mutation mutation-review lock

$(BIN)/python:
	@echo "Broadside: installing the dependencies into $(VENV) (first run only)…"
	@$(PYTHON) -m venv --without-pip $(VENV)
	@$(PYTHON) -m pip --python $(BIN)/python install --quiet --disable-pip-version-check uv \
		2>/dev/null || $(BIN)/python -m ensurepip --upgrade --default-pip > /dev/null

$(RUN_STAMP): pyproject.toml constraints.txt | $(BIN)/python
	@$(call pip_install,-e .)
	@touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	@$(call pip_install,-e ".[dev]")
	@touch $(STAMP)

install: $(STAMP) compilemessages

# UI translations, with Babel only (no GNU gettext): `make messages` extracts every string marked
# in Python and templates (config/babel.cfg), adds the new ones to each site/locale catalogue,
# and compiles them. Translate the new entries, then run it again (tests/test_catalogues.py checks).
messages: $(RUN_STAMP)
	@mkdir -p var
	$(BIN)/python -m config.babel_django var/django.pot
	$(BIN)/pybabel --quiet update --domain django --input-file var/django.pot --output-dir site/locale \
		--no-wrap --no-fuzzy-matching --ignore-pot-creation-date
	@$(MAKE) --no-print-directory compilemessages

# Each catalogue is compiled when its .po is newer than its .mo (a second `make run` skips it).
CATALOGUES := $(wildcard site/locale/*/LC_MESSAGES/django.po)
compilemessages: $(CATALOGUES:.po=.mo)

site/locale/%/LC_MESSAGES/django.mo: site/locale/%/LC_MESSAGES/django.po | $(RUN_STAMP)
	@$(BIN)/pybabel --quiet compile --domain django --directory site/locale --locale $*

migrate: $(RUN_STAMP) compilemessages
	@echo "Broadside: preparing the database…"
	@$(MANAGE) migrate --no-input -v 0

# A console account (it logs what it would post) shows the social pipeline at work.
demo: migrate
	$(MANAGE) social_accounts list | grep -q "^Console" || \
		$(MANAGE) social_accounts add console --name Console $(foreach code,en fr es ru ar he hi hu,--locale $(code))
	$(MANAGE) load_demo --create-admin --base-url $(BASE_URL)

# Install, migrate and load the demo when needed, then serve the site with a task worker
# beside it (config/start.py; config/supervise.py restarts whichever dies and stops them all
# on Ctrl-C). The last line says the address and the administrator's password.
run: $(RUN_STAMP) compilemessages
	@$(BIN)/python -m config.start --host $(HOST) --port $(PORT) --base-url $(BASE_URL)

# constraints.txt: the newest versions pyproject.toml allows (all extras) on Python 3.11, the
# ones already pinned kept where they still fit. `make lock UPGRADE=1` moves them all forward.
lock: | $(BIN)/python
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet \
		$(if $(UPGRADE),--upgrade) -o constraints.txt

worker: install
	$(MANAGE) db_worker

# The whole suite, after the import contracts (pyproject.toml), its test files spread over
# one process per core (pytest-xdist; TEST_PROCESSES=0 runs them in one). DATABASE_URL
# selects PostgreSQL (see .ci/run); SQLite otherwise.
TEST_PROCESSES ?= auto
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run --settings=config.settings.test
	$(BIN)/lint-imports
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

# Mutation testing of the rules that protect people (tests/mutation/): fails on a surviving
# mutant not justified in tests/mutation/survivors.toml, or past MUTATION_BUDGET seconds.
mutation: install
	$(BIN)/python tests/mutation/run.py

# The modules still under review too (enforce = false): their scores and survivors, for review.
mutation-review: install
	$(BIN)/python tests/mutation/run.py --all

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var db.sqlite3 .pytest_cache .ruff_cache .hypothesis mutants
