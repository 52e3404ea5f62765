# The two commands of the README: `make run` and `make test`.
# Both create .venv and a development .env when they are missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench browser-test clean

run: $(VENV)/.installed .env
	$(MANAGE) migrate --no-input
	$(MANAGE) seed --demo
	@echo ""
	@echo "  Cloud of Trust Scorecard: http://$(HOST):$(PORT)/"
	@echo "  Log in as demo / demo (lead of Demo Ministry)."
	@echo "  Admin: .venv/bin/python manage.py createsuperuser, then http://$(HOST):$(PORT)/admin/"
	@echo ""
	$(MANAGE) runserver $(HOST):$(PORT)

test: $(VENV)/.installed .env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -m "not browser"

# Browser tests drive Debian's Chromium (/usr/bin/chromium); .ci/run installs it.
browser-test: $(VENV)/.installed .env
	$(BIN)/pytest -m browser tests/browser

lint: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed .env
	$(BIN)/python bench/run.py

$(VENV)/.installed: requirements.txt requirements-dev.txt
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
