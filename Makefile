# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SHARED ?= ../shared

.PHONY: demo test install bench eval clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m bot analyze seeds/rfa-kursk-north-korean-casualties-2024-12-20.txt

test: $(STAMP)
	$(PY) -m ruff check bot handlers storage tests benchmarks
	$(PY) -m mypy
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m benchmarks

# Attribution figures on the annotated development set (not shipped: it lives in ../shared).
eval: $(STAMP)
	$(PY) -m bot analyze --jsonl $(SHARED)/eval/polnear-dev.jsonl --no-progress > .eval-pred.jsonl
	$(PY) $(SHARED)/eval/score.py $(SHARED)/eval/polnear-dev.jsonl .eval-pred.jsonl
	$(PY) -m bot analyze --format json seeds/rfa-kursk-north-korean-casualties-2024-12-20.txt > .eval-seed.json
	$(PY) $(SHARED)/acceptance/check_seed.py .eval-seed.json | tail -n 1

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache build dist .eval-pred.jsonl .eval-seed.json
