# The two commands of the SPEC, plus the UI. Everything installs into .venv from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
export GX_ANALYTICS_ENABLED := false
export DAGSTER_DISABLE_TELEMETRY := true
# Dagster writes a range run's planned events and each step's materializations in batches (the event log writes a
# batch in one transaction per file: docs/performance.md, Profile 25); the CLI sets the same value
# (orchestration/event_log.py, EVENT_BATCH_SIZE)
export DAGSTER_EVENT_BATCH_SIZE ?= 10000
UI_PORT ?= 3000
SIZES ?= 1000000,10000000
# pytest-xdist workers for make test: one per core of the 2-core machine the suite is sized for (three were
# tried twice: 13 min 22 s against 11 min 55 s with two in session 7, 12 min 9 s against 10 min 43 s in
# session 8; docs/testing.md)
TEST_WORKERS ?= 2

.PHONY: run test ui lint bench clean chromium

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/pip install -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -e '.[test]'
	touch $@

# The instance make run and make ui share: one run at a time against the single-writer warehouse file.
$(DAGSTER_HOME)/dagster.yaml: dagster_home/dagster.yaml
	mkdir -p $(DAGSTER_HOME) && cp dagster_home/dagster.yaml $@

## run: install, materialize every asset for every delivered month, publish, print the inventory
run: $(VENV)/.installed $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/carbon-pipeline run

## test: install with test extras (and Debian's chromium for the browser tests), validate the definitions, run the
## whole suite and print its ten slowest tests (docs/testing.md)
test: $(VENV)/.installed-test chromium $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/ruff check carbon_pipeline carbon_pipeline_tests benchmarks
	$(BIN)/dg check defs --use-active-venv
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope --durations=10

# The browser tests drive Debian's chromium (no browser download is possible here): installed when running as
# root, otherwise one line says how.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium is missing: run 'sudo apt-get install chromium' (Debian), then make test" >&2; exit 1; \
	  fi; }

## ui: the Dagster UI on 127.0.0.1:$(UI_PORT) over the same configuration
ui: $(VENV)/.installed $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/carbon-pipeline demo >/dev/null
	$(BIN)/dg dev --use-active-venv -h 127.0.0.1 -p $(UI_PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check carbon_pipeline carbon_pipeline_tests benchmarks

clean:
	rm -rf data .pytest_cache

## bench: generate CUR months (cached in benchmarks/data) and time the pipeline against the DuckDB floor
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run_benchmarks.py --sizes $(SIZES)
