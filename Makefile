# KAP Couples — common tasks. `make run` and `make test` work on a fresh Debian/Ubuntu machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# axe-core for the browser tests' accessibility checks (package.json): a test tool only,
# so `make run` works without npm; `make install` adds it where npm is present.
AXE_STAMP := node_modules/.installed-stamp
# Folders makemessages leaves out: code that shows no page to a partner, and tools.
MESSAGES_IGNORE := --ignore=.venv --ignore=node_modules --ignore=bench --ignore=tests \
	--ignore=var --ignore=artifacts

.PHONY: install test-tools run test lint format migrations-check check-deploy ci bench clean messages

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

$(AXE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Debian's npm (.ci/run does)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(AXE_STAMP)

install: $(STAMP) $(if $(shell command -v npm),$(AXE_STAMP))

test-tools: $(AXE_STAMP)

## run: the app with demo data on the embedded default (SQLite, filesystem broker)
run: install
	scripts/run-embedded.sh

## test: the whole suite on PostgreSQL and Redis (started here when none is running)
test: install test-tools
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

## messages: collect the marked strings into locale/es (translate the new entries), then compile
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l es --add-location=file --no-wrap $(MESSAGES_IGNORE)
	DEBUG=1 $(BIN)/python manage.py compilemessages -l es

clean:
	rm -rf $(VENV) var artifacts .pytest_cache .ruff_cache node_modules
