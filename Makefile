# Everything runs from a local virtualenv; a fresh clone needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint migrate bench wording-model clean

# The ad filter's compiled part is built by the install, so editing it reinstalls.
$(STAMP): pyproject.toml setup.py handlers/adfilter/hashed.pyx
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/qunbot serve --migrate

test: $(STAMP)
	$(BIN)/ruff check bot handlers schedules migrations tests bench
	$(BIN)/python -m pytest

migrate: $(STAMP)
	$(BIN)/qunbot migrate

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/outbox_pacing.py

# After the starter corpus or the wording model's features change (a test says when).
wording-model: $(STAMP)
	$(BIN)/python -c "from handlers.adfilter.wording_file import build; build()"

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
