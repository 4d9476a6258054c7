# The two commands of the SPEC, plus the UI. Everything installs into .venv from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
export GX_ANALYTICS_ENABLED := false
export DAGSTER_DISABLE_TELEMETRY := true
UI_PORT ?= 3000
SIZES ?= 1000000,10000000

.PHONY: run test ui lint bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/pip install -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -e '.[test]'
	touch $@

$(DAGSTER_HOME)/dagster.yaml:
	mkdir -p $(DAGSTER_HOME)
	printf 'telemetry:\n  enabled: false\n' > $@

## run: install, materialize every asset for every delivered month, publish, print the inventory
run: $(VENV)/.installed $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/carbon-pipeline run

## test: install with test extras and run the whole suite; prints its ten slowest tests (docs/testing.md)
test: $(VENV)/.installed-test
	$(BIN)/ruff check carbon_pipeline carbon_pipeline_tests benchmarks
	$(BIN)/python -m pytest --durations=10

## ui: the Dagster UI on 127.0.0.1:$(UI_PORT) over the same configuration
ui: $(VENV)/.installed $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/carbon-pipeline demo >/dev/null
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p $(UI_PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check carbon_pipeline carbon_pipeline_tests benchmarks

clean:
	rm -rf data .pytest_cache

## bench: generate CUR months (cached in benchmarks/data) and time the pipeline against the DuckDB floor
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run_benchmarks.py --sizes $(SIZES)
