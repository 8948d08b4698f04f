# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: run test install index bench clean opensearch opensearch-stop

# (Re)install when pyproject.toml changes; needs only Python >= 3.11 and make.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "searchkit needs Python >= 3.11 (set PYTHON=python3.11)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing searchkit and its dependencies into $(VENV) ..." >&2
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]' >&2
	@touch $(STAMP)

install: $(STAMP)

index: install
	@$(BIN)/searchkit index

## make run: install, index seeds/ incrementally, open the REPL (reads stdin in a pipe)
run: install
	@$(BIN)/searchkit index
	@$(BIN)/searchkit repl

## make test: the whole test suite
test: install
	@$(BIN)/python -m pytest

## make bench: speed at scale on OrangeSum (about an hour; report in bench/reports/speed.md)
bench: install
	@$(BIN)/python -c 'import psutil' 2>/dev/null || $(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]' >&2
	@$(BIN)/python bench/run.py

## make opensearch: a local single-node OpenSearch for development and tests (needs Java 17+
## and Maven; built from Maven Central jars on first use; data and logs in .opensearch/)
opensearch: install
	@$(BIN)/python -m searchkit.testing.opensearch_node start

## make opensearch-stop: stop the node started by `make opensearch`
opensearch-stop: install
	@$(BIN)/python -m searchkit.testing.opensearch_node stop

clean:
	rm -rf $(VENV) index .pytest_cache
