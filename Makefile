# The two commands of the README: `make run` and `make test`.
# Both create .venv and a development .env when they are missing, and check the
# system libraries the PDF export loads (config/system_libraries.py): a missing
# required one stops make with the command to install it; a missing optional
# one is a note.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench browser-test system-libraries clean

# The server, and beside it one worker for the export jobs (PDF reports,
# large workbooks, organisation exports; the queue is a table of the same
# SQLite database). The worker starts before the server and stops with it:
# on Ctrl+C, or if the server cannot start. A job it was making goes back
# to the queue and is finished at the next `make run`. The worker does not
# reload on code changes; restart `make run` after changing export code.
run: $(VENV)/.installed .env system-libraries
	$(MANAGE) migrate --no-input
	$(MANAGE) seed --demo
	$(MANAGE) cleanup_exports
	@echo ""
	@echo "  Cloud of Trust Scorecard: http://$(HOST):$(PORT)/"
	@echo "  Log in as demo / demo (lead of Demo Ministry),"
	@echo "  or evaluator / evaluator (an evaluator of the same ministry)."
	@echo "  Admin: .venv/bin/python manage.py createsuperuser, then http://$(HOST):$(PORT)/admin/"
	@echo "  Export jobs: one worker runs beside the server (manage.py db_worker)."
	@echo ""
	@$(MANAGE) db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

test: $(VENV)/.installed .env system-libraries
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -m "not browser" -n auto

# Browser tests drive Debian's Chromium (/usr/bin/chromium); .ci/run installs it.
browser-test: $(VENV)/.installed .env system-libraries
	$(BIN)/pytest -m browser tests/browser

lint: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# One benchmark per line of issue 11's table, each beside its reference
# (a few minutes; `bench/run.py --only engine --quick` for one, small).
# BENCH="--only pdf" passes options.
bench: $(VENV)/.installed .env system-libraries
	$(BIN)/python bench/run.py $(BENCH)

system-libraries: $(VENV)/.installed
	@$(BIN)/python -m config.system_libraries

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "Python 3.10 or newer is needed (set PYTHON=python3.x)." >&2; exit 1; }
	@test -d $(VENV) || $(PYTHON) -c 'import ensurepip' 2>/dev/null || \
		{ echo "Python's venv module is missing: sudo apt-get install python3-venv" >&2; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# A development .env with a fresh random secret key; never committed.
.env:
	@printf 'DJANGO_DEBUG=true\nDJANGO_SECRET_KEY=%s\n' \
		"$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote a development .env (DEBUG on, random secret key)."

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .hypothesis
