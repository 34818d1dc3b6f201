# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SHARED ?= ../shared

HELD_BACK ?= $(or $(TMPDIR),/tmp)/claimdesk-held-back.jsonl

.PHONY: demo test install bench eval train clean

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
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m benchmarks

# Attribution figures on the annotated development set (not shipped: it lives in ../shared): the whole set
# (the model was trained on most of it), then the held-back articles the model never saw, with the
# model and with the rules alone. The held-back gold file is written outside the project.
eval: $(STAMP)
	$(PY) -m bot analyze --jsonl $(SHARED)/eval/polnear-dev.jsonl --no-progress > .eval-pred.jsonl
	@echo "whole set (924 articles; the model trained on 790 of them):"
	$(PY) $(SHARED)/eval/score.py $(SHARED)/eval/polnear-dev.jsonl .eval-pred.jsonl
	$(PY) -m bot.extraction.train --data $(SHARED)/eval/polnear-dev.jsonl --write-held-back $(HELD_BACK)
	$(PY) -m bot analyze --jsonl $(HELD_BACK) --no-progress > .eval-held-back.jsonl
	@echo "held back (134 articles), model:"
	$(PY) $(SHARED)/eval/score.py $(HELD_BACK) .eval-held-back.jsonl
	CLAIMDESK_EXTRACTOR=rules $(PY) -m bot analyze --jsonl $(HELD_BACK) --no-progress > .eval-held-back-rules.jsonl
	@echo "held back (134 articles), rules alone:"
	$(PY) $(SHARED)/eval/score.py $(HELD_BACK) .eval-held-back-rules.jsonl
	$(PY) -m bot analyze --format json seeds/rfa-kursk-north-korean-casualties-2024-12-20.txt > .eval-seed.json
	$(PY) $(SHARED)/acceptance/check_seed.py .eval-seed.json | tail -n 1

# Rebuild the committed attribution model from the annotated set (about 10 minutes on 2 cores; CI never trains).
train: $(STAMP)
	$(PY) -m bot.extraction.train --data $(SHARED)/eval/polnear-dev.jsonl

clean:
	rm -rf $(VENV) .pytest_cache build dist .eval-*
