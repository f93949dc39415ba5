# parenting-assessment — `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help run test test-all lint format sample form dev bench notebooks clean

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP) ## Run the pipeline on the bundled sample and print where the report is
	$(BIN)/parenting-assessment run

test: $(STAMP) ## Run the test suite (slow simulation tests excluded)
	$(BIN)/python -m pytest -q

test-all: $(STAMP) ## Run every test, including the slow simulation study
	$(BIN)/python -m pytest -q -m ""

lint: $(STAMP) ## Lint with ruff
	$(BIN)/ruff check src pipelines tests benchmarks notebooks/make_notebooks.py

format: $(STAMP) ## Format with ruff
	$(BIN)/ruff format src pipelines tests benchmarks

sample: $(STAMP) ## Regenerate the bundled sample in data/sample
	$(BIN)/parenting-assessment synth --seed 20261127 --out data/sample

form: $(STAMP) ## Rebuild the XLSForm workbook from data/instrument/source/*.csv and the frame
	$(BIN)/parenting-assessment build-form

dev: $(STAMP) ## Open the Dagster UI on http://127.0.0.1:3000
	mkdir -p .dagster_home && DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev

$(BIN)/jupyter-lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -c requirements.lock jupyterlab

notebooks: $(BIN)/jupyter-lab ## Open the analyst notebooks in JupyterLab (run `make run` first)
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP) ## Run the benchmarks (minutes; prints figures)
	$(BIN)/python benchmarks/bench_estimation.py
	$(BIN)/python benchmarks/bench_estimates.py
	$(BIN)/python benchmarks/bench_validation.py
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_report.py

clean: ## Remove the warehouse, landing store and generated reports
	rm -rf data/warehouse.duckdb data/warehouse.duckdb.wal data/landing data/snapshot reports/*/
