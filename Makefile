# One task runner for people and CI. `make help` lists the targets.
SHELL := /bin/bash
PY := .venv/bin/python
STAMP := .venv/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: help install system-deps run index chat test test-fast lint format clean bench

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	CMAKE_ARGS="-DLLAVA_BUILD=OFF" $(PY) -m pip install -e ".[all,dev]"
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the assistant with every extra (first run ~7 min)

system-deps: ## Debian packages the tests need (headless Chromium for the browser tests)
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

run: install ## The main job: index corpus/ if missing or stale, then serve the web page
	.venv/bin/assistant serve

index: install ## Sync corpus/ into index/
	.venv/bin/assistant index

chat: install ## Terminal chat over the index
	.venv/bin/assistant chat

test: install system-deps ## Run the whole test suite (unit + real model, Chroma server, browser)
	$(PY) -m pytest -q

test-fast: install ## Only the fast unit tests (fakes, no real model or server)
	$(PY) -m pytest -q -m "not slow"

bench: install ## Performance and scale benchmarks (~20-30 min): prints a table, writes BENCHMARKS.md
	$(PY) scripts/bench

lint: install ## ruff check
	.venv/bin/ruff check assistant tests

format: install ## ruff format + fix
	.venv/bin/ruff check --fix assistant tests
	.venv/bin/ruff format assistant tests

clean: ## Remove the generated index (not the feedback store)
	rm -rf index/chroma index/bm25 index/state.sqlite*
