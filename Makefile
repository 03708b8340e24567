# Two commands matter: `make run` (set up, build, publish) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/var/dagster_home
export UV_COMPILE_BYTECODE := 1
DBT_FILES := $(shell find dbt_project/models dbt_project/macros dbt_project/tests dbt_project/seeds -type f 2>/dev/null) dbt_project/dbt_project.yml dbt_project/profiles.yml
# Their folders too: a file deleted changes only its folder's time, and a manifest parsed before it
# would make every build parse that change again.
DBT_DIRS := $(shell find dbt_project/models dbt_project/macros dbt_project/tests dbt_project/seeds -type d 2>/dev/null)
# The family declarations give dbt its unions over families (the variable `families`).
FAMILY_FILES := sources/family.py $(wildcard sources/*/family.py)

.PHONY: run test dev setup manifest lock clean bench bench-quick docs

run: setup $(DAGSTER_HOME)/dagster.yaml
	@$(BIN)/unodc-indicators run

test: setup
	$(BIN)/python -m pytest

dev: setup $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

# The dbt documentation site (lineage, every model and column with its description), built from the
# build database of `make run` into var/docs/; static_index.html holds everything in one file and
# needs no network (README, "A warehouse that explains itself").
docs: setup
	@test -f var/build/build.duckdb || { echo "make docs: no build database yet (var/build/build.duckdb): run make run first"; exit 2; }
	cd dbt_project && HOME=$(CURDIR)/var/build $(abspath $(BIN))/dbt docs generate --static --profiles-dir . \
		--vars "$$($(abspath $(BIN))/python -m orchestration.dbt_project vars)" --target-path $(CURDIR)/var/docs --quiet
	@echo "dbt documentation: $(CURDIR)/var/docs/static_index.html (one file, opens offline in a browser)"

# Benchmarks (BENCHMARKS.md): scaled copies and homes go to a temporary folder, results to bench/out/.
bench: setup
	$(BIN)/python -m bench.run

bench-quick: setup
	$(BIN)/python -m bench.run --quick

setup: $(BIN)/.installed manifest

# The environment: exact versions from requirements.lock, installed with uv.
$(BIN)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

# The dbt manifest is prepared here, once, not on every definitions load; a family added or changed
# parses again.
manifest: dbt_project/target/manifest.json
dbt_project/target/manifest.json: $(BIN)/.installed $(DBT_FILES) $(DBT_DIRS) $(FAMILY_FILES)
	$(BIN)/python -m orchestration.dbt_project parse
	touch $@

$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp orchestration/dagster.yaml $@

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf var dbt_project/target dbt_project/logs
