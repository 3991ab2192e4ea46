# Two commands matter: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
SPBE := $(VENV)/bin/spbe
PYTEST := $(VENV)/bin/pytest
STAMP := $(VENV)/.installed
export UV_PYTHON_DOWNLOADS := never
# Progress lines: "== <step> (at N s)", counted from when make started.
MAKE_STARTED := $(shell date +%s)
step = @echo "== $(1) (at $$(( $$(date +%s) - $(MAKE_STARTED) )) s)"

.PHONY: fonts pdftools run test install lock setup demo worker browser test-fast test-e2e bench eval-webscan eval-assistant lint messages clean fuzz-api

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv>=0.13,<0.14"

# Install the hash-pinned dependencies into .venv (again whenever the lock changes),
# then the project itself in editable mode.
$(STAMP): $(UV) pyproject.toml requirements.lock clients/python/pyproject.toml
	$(call step,Python packages: hash-pinned install into .venv)
	@[ -x $(VENV)/bin/python ] || $(UV) venv --quiet --python $(PYTHON) $(VENV)
	$(UV) pip sync --quiet --compile-bytecode --python $(VENV)/bin/python requirements.lock
	$(UV) pip install --quiet --python $(VENV)/bin/python --no-deps -e . -e clients/python
	@$(VENV)/bin/python -m compileall -q -j 0 src  # commands start fast even where PYTHONDONTWRITEBYTECODE is set
	@touch $(STAMP)

# Re-resolve requirements.lock after changing dependencies in pyproject.toml.
lock: $(UV)
	$(UV) pip compile pyproject.toml --all-extras --generate-hashes --python-version 3.11 \
	  --no-header --no-emit-index-url --no-emit-find-links -o requirements.lock

install: $(STAMP) fonts

setup: install
	$(call step,database: migrations)
	@$(SPBE) migrate --no-input -v 0
	$(call step,test PKI for e-signatures)
	@$(SPBE) esign_testpki init
	$(call step,demo data)
	@$(SPBE) load_demo_data --stage main
	$(call step,setup done)

# Everything `make run` shows, without serving it: the last part of the demo data needs the
# assistant's index, which `make run` builds once, in the server, before it loads that part.
demo: setup
	@$(SPBE) load_demo_data --stage late

run: setup
	$(call step,starting the web server with its worker and scheduler and the simulators)
	@echo "Serving on http://127.0.0.1:8000  (staff console: /console/, Love Bali: /lovebali/, API: /api/v1/docs; Ctrl-C stops)"
	@echo "Bank simulator (stands in for the collecting bank) on http://127.0.0.1:8079"
	@echo "Test PKI (CRL/OCSP/TSA) on http://127.0.0.1:8078 and a fake BSrE on http://127.0.0.1:8077"
	@echo "Demo OPD websites for the judol scanner on http://127.0.0.1:8060-8067 (two infected)"
	@$(SPBE) worker > var/worker.log 2>&1 & worker=$$!; \
	$(SPBE) scheduler > var/scheduler.log 2>&1 & scheduler=$$!; \
	$(SPBE) levy_banksim > var/banksim.log 2>&1 & banksim=$$!; \
	$(SPBE) esign_testpki serve > var/esign-pki.log 2>&1 & pki=$$!; \
	$(SPBE) webscan_demosites > var/demosites.log 2>&1 & sites=$$!; \
	{ $(VENV)/bin/python tools/wait_ready.py http://127.0.0.1:8000 --since $(MAKE_STARTED) && \
	  $(SPBE) load_demo_data --stage late > var/demo-late.log 2>&1 && \
	  echo "== demo conversations loaded (at $$(( $$(date +%s) - $(MAKE_STARTED) )) s)"; } & ready=$$!; \
	trap "kill $$worker $$scheduler $$banksim $$pki $$sites $$ready 2>/dev/null" EXIT INT TERM; \
	$(SPBE) runserver 127.0.0.1:8000

worker: install
	$(SPBE) worker

# Debian chromium for the Playwright browser tests (Playwright's own browser download
# is not reachable from here). Installs only when missing and when we may use apt.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: run 'sudo apt-get install chromium'"; exit 1; fi; \
	fi

# Fonts every PDF embeds (Noto Sans; Droid Sans Fallback for Chinese and Japanese; Nanum Gothic for Korean), and the
# external checkers and test HSM of the TTE tests: qpdf, poppler (pdfsig, pdffonts, pdftoppm),
# SoftHSM, Ghostscript (makes PDF/A inputs), zbar (reads QR codes back), and PDFBox + Bouncy
# Castle with a JDK (an independent signature verifier). Installed only when missing.
SYSTEM_PACKAGES := fonts-noto-core fonts-droid-fallback fonts-nanum qpdf poppler-utils softhsm2 ghostscript zbar-tools \
	default-jdk-headless libpdfbox2-java libbcpkix-java libbcprov-java libbcutil-java
SYSTEM_CHECK := /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf \
	/usr/share/fonts/truetype/nanum/NanumGothic.ttf \
	/usr/bin/qpdf /usr/bin/pdfsig /usr/bin/softhsm2-util /usr/bin/gs /usr/bin/zbarimg /usr/bin/javac \
	/usr/share/java/pdfbox2.jar /usr/share/java/bcpkix.jar

fonts:
	@for f in /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf /usr/share/fonts/truetype/nanum/NanumGothic.ttf; do \
	  [ -f $$f ] || { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-core fonts-droid-fallback fonts-nanum >/dev/null; \
	  else echo "fonts missing: run 'sudo apt-get install fonts-noto-core fonts-droid-fallback fonts-nanum'"; exit 1; fi; break; }; \
	done

pdftools:
	@missing=0; for f in $(SYSTEM_CHECK); do [ -e $$f ] || missing=1; done; \
	if [ $$missing = 1 ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	  else echo "missing: run 'sudo apt-get install $(SYSTEM_PACKAGES)'"; exit 1; fi; \
	fi

# Tests run in parallel (pytest-xdist), one worker per core unless TEST_WORKERS says otherwise.
TEST_WORKERS ?= auto

test: install browser pdftools
	$(PYTEST) -q -n $(TEST_WORKERS)

test-fast: install pdftools
	$(PYTEST) -q -n $(TEST_WORKERS) -m "not e2e"

test-e2e: install browser
	$(PYTEST) -q -n $(TEST_WORKERS) -m e2e

# schemathesis over the whole /api/v1 against gunicorn: anonymous and three roles' tokens.
fuzz-api: install pdftools
	$(VENV)/bin/python tools/fuzz_api.py

bench: install
	$(VENV)/bin/python -m benchmarks

# Precision and recall of the judol scanner per technique on the labelled corpus.
eval-webscan: install
	$(VENV)/bin/python -m benchmarks.webscan.evaluate

# The Love Bali assistant on its multilingual gold set: hit@1, hit@3, MRR, hand-off precision and
# recall, wrong-answer rate and latency per language (on the demo knowledge base).
eval-assistant: setup
	$(SPBE) assistant_eval

lint: install
	$(VENV)/bin/ruff check src tests benchmarks tools
	$(SPBE) makemigrations --check --dry-run
	$(SPBE) check

# Regenerate translation catalogs (needs gettext: apt-get install gettext).
# Staff pages: Indonesian (English is the source). Tourist pages (lovebali/locale): seven languages.
messages: install
	cd src/spbe && ../../$(SPBE) makemessages -l id --no-obsolete -i "static/*"
	cd src/spbe/lovebali && ../../../$(SPBE) makemessages -l zh_Hans -l ko -l ja -l ru -l fr -l de --no-obsolete
	cd src/spbe && ../../$(SPBE) compilemessages

clean:
	rm -rf $(VENV) $(TOOLS) var .pytest_cache
