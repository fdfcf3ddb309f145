# Everything a fresh machine needs: `make demo` and `make test` install what they use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_MODEL := .cache/demo-model

# On Linux, pip's default index gives torch's CUDA build (several GB with its nvidia-*
# packages). On a fresh clone, the CPU build comes from torch's own index, first:
#   make demo TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
TORCH_INDEX_URL ?=
TORCH_VERSION := $(shell sed -n 's/^ *"torch==\([^"]*\)".*/\1/p' pyproject.toml)

.PHONY: install dev browser ocr demo test lint typecheck layers check bench clean

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(if $(TORCH_INDEX_URL),$(BIN)/python -m pip install --quiet torch==$(TORCH_VERSION) --index-url $(TORCH_INDEX_URL))
	$(BIN)/python -m pip install --quiet -e .
	touch $@

dev: $(VENV)/.dev-installed
# The ray extra is for the few `batch --executor ray` tests; where Ray has no wheel for this
# platform they are skipped, so its install may fail without failing `make test`.
$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet -e '.[ray]' || echo "make: Ray unavailable here; its tests will be skipped" >&2
	touch $@

# The real model when it is cached or downloadable; otherwise (no hub access, the usual first
# run) a calm notice and the same pipeline on a random-weight model of the same layout, built
# once in $(DEMO_MODEL): its English is noise. tools/demo.py says so before and after.
demo: install
	@$(BIN)/python tools/demo.py $(DEMO_MODEL)

# The HTML page's tests drive a headless Chromium (Debian's package, through Playwright's Python
# package, which needs no browser download). Installed with apt when running as root and it is
# missing; otherwise skipped quietly, and those tests skip themselves saying why.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	  >/dev/null 2>&1 || echo "make: could not install chromium; browser tests will skip" >&2; }; } \
	  || true

# `--ocr` reads scanned PDFs with Tesseract and its Indonesian data (Debian packages), installed
# the same way; where they cannot be, the OCR test skips itself saying why.
ocr:
	@{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx ind; } \
	  || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  tesseract-ocr tesseract-ocr-ind >/dev/null 2>&1 \
	  || echo "make: could not install tesseract; the OCR test will skip" >&2; }; } \
	  || true

# pytest exits 5 when it collected nothing: that is a failure here, not a pass.
test: dev browser ocr
	@$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: FAILED, no tests ran" >&2; exit 1; fi; \
	exit $$status

lint: dev
	$(BIN)/ruff check translate_cli tests benchmarks tools
	$(BIN)/ruff format --check translate_cli tests benchmarks tools

typecheck: dev
	$(BIN)/mypy

# The layer contract in pyproject.toml ([tool.importlinter]), then no import cycle at all,
# imports inside functions and under TYPE_CHECKING counted (docs/architecture.md).
layers: dev
	$(BIN)/lint-imports
	$(BIN)/python tools/check_imports.py translate_cli

check: lint typecheck layers test

clean:
	rm -rf $(VENV) .cache build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
