# socialcare: `make run` starts the service, `make test` passes the tests.
# Both set up everything on a fresh machine: Python 3.10 (pyenv), .venv, pinned deps.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)
PYTHON310 ?= $(or $(lastword $(sort $(wildcard $(PYENV_ROOT)/versions/3.10.*/bin/python3.10))),$(shell command -v python3.10 2>/dev/null))
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 3
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help venv run test train train-fast validate nlu-report eval seed lock clean

help:
	@echo "make run         start Redis + action server + Rasa on embedded defaults (trains if needed)"
	@echo "make test        unit, integration and story tests (trains a small model once)"
	@echo "make train       train the full model into models/"
	@echo "make validate    rasa data validate"
	@echo "make nlu-report  cross-validated intent report (slow)"
	@echo "make eval        route ../shared/eval tweets and print handoff shares"

$(PY):
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found (looked in $(PYENV_ROOT)/versions/3.10.* and PATH)"; exit 1; }
	$(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet "pip==24.0" "setuptools==70.3.0" "wheel==0.45.1"

$(STAMP): $(PY) requirements.in constraints.txt pyproject.toml
	$(PY) -m pip install -r requirements.in -c constraints.txt
	$(PY) -m pip install --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	@touch $(STAMP)

venv: $(STAMP)

train: $(STAMP)
	$(VENV)/bin/socialcare train

train-fast: $(STAMP)
	$(VENV)/bin/socialcare train --fast

run: $(STAMP)
	$(VENV)/bin/socialcare train --if-missing
	$(VENV)/bin/socialcare run

test: $(STAMP)
	$(VENV)/bin/socialcare train --fast
	$(PY) -m pytest -q -p no:cacheprovider

validate: $(STAMP)
	$(VENV)/bin/rasa data validate --domain bot/domain --data bot/data --config config.yml

nlu-report: $(STAMP)
	$(VENV)/bin/rasa test nlu --nlu bot/data/nlu --config config.yml --cross-validation --folds 3 --out results/nlu

eval: $(STAMP)
	$(VENV)/bin/socialcare train --if-missing
	$(VENV)/bin/socialcare eval

seed: $(STAMP)
	$(VENV)/bin/socialcare seed

# Re-resolve the pinned set from requirements.in in a scratch venv (needs the network).
lock:
	rm -rf .venv-lock && $(PYTHON310) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet "pip==24.0"
	.venv-lock/bin/pip install -r requirements.in
	.venv-lock/bin/pip freeze --exclude-editable | grep -v '^socialcare' > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf models/test results .pytest_cache
