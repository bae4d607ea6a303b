# The two commands: `make start` and `make test`. Everything they need is installed into .venv here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
WORKERS ?= 2

.PHONY: start test setup browser test-sqlite test-postgres bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

# Browser tests drive Debian's Chromium through its ChromeDriver.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get install -y -q chromium chromium-driver || (apt-get update -q && apt-get install -y -q chromium chromium-driver))

start: setup
	$(BIN)/leadpact serve

test: test-sqlite test-postgres

test-sqlite: setup
	$(BIN)/pytest -n $(WORKERS) leadpact

bench: setup
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	$(BIN)/python bench/bench_expr.py
	$(BIN)/python bench/bench_business_time.py
	$(BIN)/python bench/bench_worker.py --workers 1 --workers 4
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_predict.py
	$(BIN)/python bench/bench_backtest.py
	$(BIN)/python bench/bench_backtest.py --db postgres
	$(BIN)/python bench/bench_reports.py

test-postgres: setup browser
	LEADPACT_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(WORKERS) leadpact --ignore=leadpact/core -m "not sqlite_only"
