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
STAMP := $(VENV)/.installed

.PHONY: run test install messages compilemessages lint format migrate demo worker clean mutation mutation-review

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) compilemessages

# UI translations, with Babel only (no GNU gettext): `make messages` extracts every string marked
# in Python and templates (config/babel.cfg), adds the new ones to each site/locale catalogue,
# and compiles them. Translate the new entries, then run it again (tests/test_catalogues.py checks).
messages: $(STAMP)
	@mkdir -p var
	$(BIN)/python -m config.babel_django var/django.pot
	$(BIN)/pybabel --quiet update --domain django --input-file var/django.pot --output-dir site/locale \
		--no-wrap --no-fuzzy-matching --ignore-pot-creation-date
	@$(MAKE) --no-print-directory compilemessages

compilemessages: $(STAMP)
	@$(BIN)/pybabel --quiet compile --domain django --directory site/locale

migrate: install
	@echo "Broadside: preparing the database…"
	@$(MANAGE) migrate --no-input -v 0

# A console account (it logs what it would post) shows the social pipeline at work.
demo: migrate
	$(MANAGE) social_accounts list | grep -q "^Console" || \
		$(MANAGE) social_accounts add console --name Console $(foreach code,en fr es ru ar he hi hu,--locale $(code))
	$(MANAGE) load_demo --create-admin --base-url $(BASE_URL)

# Install, migrate, load the demo, then serve the site with a task worker beside it.
# config/supervise.py restarts whichever dies and stops them all on Ctrl-C.
run: demo
	@echo "Broadside: serving $(BASE_URL)/ — sign in at $(BASE_URL)/admin/ as admin"
	@echo "  (password printed when the admin was created; reset: $(MANAGE) changepassword admin)"
	@BROADSIDE_BASE_URL=$(BASE_URL) $(BIN)/python -m config.supervise \
		"$(MANAGE) runserver $(HOST):$(PORT)" \
		"$(MANAGE) db_worker" \
		"while sleep 60; do $(MANAGE) publish_scheduled > /dev/null; $(MANAGE) resume_deliveries -v 0; $(MANAGE) refresh_tokens -v 0; done"

worker: install
	$(MANAGE) db_worker

# The whole suite, after the import contracts (pyproject.toml). DATABASE_URL selects
# PostgreSQL (see .ci/run); SQLite otherwise.
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run --settings=config.settings.test
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

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
