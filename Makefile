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

.PHONY: help venv browser run test lint train train-fast validate nlu-report eval seed lock clean console-user bench-nlu kb-lint bench chaos

help:
	@echo "make run         start Redis + action server + Rasa on embedded defaults (trains if needed)"
	@echo "make test        lint, then unit, integration and story tests (trains a small model once)"
	@echo "make lint        ruff over the tree, mypy over the pure modules (pyproject.toml)"
	@echo "make train       train the full model into models/"
	@echo "make validate    rasa data validate"
	@echo "make nlu-report  cross-validated intent report (slow)"
	@echo "make eval        route ../shared/eval tweets and print handoff shares"
	@echo "make bench       Messenger path vs stock rasa + facebook channel through the sandbox (BENCH_OPTS)"
	@echo "make chaos       fault harness: lost/duplicated answers per fault, results/chaos.json (CHAOS_OPTS)"
	@echo "make console-user NAME=alice ROLE=supervisor   create an agent console user (asks for the password)"
	@echo "make bench-nlu   p50/p99 per message: MiniLM encoder and the NLU pipeline of the newest model"
	@echo "make kb-lint     check bot/data/knowledge: near-duplicate questions, owners, review dates"

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

# Debian's chromium for the real-browser console test (Playwright drives /usr/bin/chromium;
# Playwright's own browser download does not work offline).
browser:
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; } \
	  || echo "WARNING: could not install chromium; the browser test (tests/e2e) will be skipped"; }

# Ruff (pycodestyle, pyflakes, import order) and mypy; configured in pyproject.toml.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: lint $(STAMP) browser
	$(VENV)/bin/socialcare train --fast
	$(PY) -m pytest -q -p no:cacheprovider

validate: $(STAMP)
	$(VENV)/bin/rasa data validate --domain bot/domain --data bot/data --config config.yml

nlu-report: $(STAMP)
	$(VENV)/bin/rasa test nlu --nlu bot/data/nlu --config config.yml --cross-validation --folds 3 --out results/nlu

eval: $(STAMP)
	$(VENV)/bin/socialcare train --if-missing
	$(VENV)/bin/socialcare eval

# BENCH_ARGS e.g. "--model models/x.tar.gz --n 500"; prints the load average with the figures.
bench-nlu: $(STAMP)
	$(PY) -m socialcare.bench.nlu $(BENCH_ARGS)

kb-lint: $(STAMP)
	$(PY) -m socialcare.kb_lint

# The first console user; the password is asked for (or CONSOLE_USER_PASSWORD).
console-user: $(STAMP)
	@test -n "$(NAME)" || { echo "usage: make console-user NAME=alice [ROLE=agent|supervisor|trainer]"; exit 2; }
	$(VENV)/bin/socialcare console-user add "$(NAME)" --role "$(or $(ROLE),agent)"

# BENCH_OPTS e.g. "--customers 10 --turns 3 --rate 20 --seconds 3 --ack-seconds 1 --platform-latency-ms 150 0
#   --rasa-consumers 1" (Send API latency 150 ms by default); not part of `make test`.
bench: $(STAMP)
	$(PY) -m socialcare.bench $(BENCH_OPTS)

# CHAOS_OPTS e.g. "--scenarios kill_consumer,malformed --customers 3 --turns 2 --deadline 60";
#   `--list` names the scenarios; about 12 minutes with defaults; not part of `make test`.
chaos: $(STAMP)
	$(PY) -m socialcare.bench.chaos $(CHAOS_OPTS)

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
