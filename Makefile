# 慈善超市 — the two commands: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000
# the demo's voucher QR codes and receipt links point at the port the app is served on
RUN_ENV := APP_ENV=development PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)}

.PHONY: run test lint translations i18n-extract clean-db help screenshots

help:
	@echo "make run    - install, migrate and seed instance/charity.db, serve on http://127.0.0.1:5000 (PORT=5100 make run)"
	@echo "make test   - install dev dependencies and run the test suite (TEST_DATABASE_URL for PostgreSQL)"
	@echo "make lint   - ruff"

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

translations: $(VENV)/.runtime
	$(PY) tools/i18n.py compile

run: $(VENV)/.runtime translations
	mkdir -p instance
	$(RUN_ENV) $(FLASK) db upgrade
	$(RUN_ENV) $(FLASK) seed-demo
	@echo ""
	@echo "慈善超市 serving on http://127.0.0.1:$(PORT)  (Ctrl+C to stop)"
	$(RUN_ENV) $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.dev translations
	$(PY) -m pytest $(PYTEST_ARGS)

# Regenerate the screenshots under docs/screenshots/ (the suite itself writes to test-artifacts/).
screenshots: $(VENV)/.dev translations
	DOC_SCREENSHOTS=1 $(PY) -m pytest tests/browser -q

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

# Refresh every domain's English catalogue from the source (msgids are the Chinese text).
i18n-extract: $(VENV)/.dev
	$(PY) tools/i18n.py update

clean-db:
	rm -f instance/charity.db instance/charity.db-wal instance/charity.db-shm
