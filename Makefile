# KAP Couples — common tasks. `make run` and `make test` work on a fresh Debian/Ubuntu machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint format migrations-check check-deploy ci bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

## run: the app with demo data on the embedded default (SQLite, filesystem broker)
run: install
	scripts/run-embedded.sh

## test: the whole suite on PostgreSQL and Redis (started here when none is running)
test: install
	scripts/test.sh $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

ci: lint migrations-check test

## bench: page and write benchmark under gunicorn at design scale (BENCH_ARGS="--duration 10")
bench: install
	scripts/bench.sh $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var artifacts .pytest_cache .ruff_cache
