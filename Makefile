# kefu — the two commands: `make run` (set up, seed, serve on 127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-clock fuzz screenshots setup assets migrate seed lint pytest serve bench clean messages

run: setup migrate seed serve

setup: $(VENV)/.installed kefu/static/vendor/.built
	$(PY) scripts/i18n.py compile

$(VENV)/.installed: requirements.txt requirements.lock.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c requirements.lock.txt
	touch $@

kefu/static/vendor/.built: package.json package-lock.json scripts/copy-vendor.mjs
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	touch $@

assets: kefu/static/vendor/.built

migrate: setup
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_demo_customers
	$(PY) manage.py seed_demo_tickets
	$(PY) manage.py seed_demo_knowledge
	$(PY) manage.py seed_demo_announcements
	$(PY) manage.py seed_demo_workforce
	$(PY) manage.py seed_demo_surveys
	$(PY) manage.py seed_demo_training
	$(PY) manage.py seed_demo_quality

serve:
	bash scripts/serve-dev.sh $(HOST) $(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/i18n.py check

pytest: setup
	$(VENV)/bin/pytest -p no:cacheprovider $(PYTEST_ARGS)

test: lint pytest

# The pytest suite (browser tests included) on SQLite as if started at another moment (conftest.py reads
# KEFU_TEST_CLOCK), e.g. `make test-clock CLOCK=2026-12-05T03:00+08:00` — a Saturday 03:00. It runs on
# CLOCK_WORKERS pytest-xdist workers (default 2; 1 runs in one process).
CLOCK ?=
CLOCK_WORKERS ?= 2
test-clock: setup
	@test -n "$(CLOCK)" || { echo "make test-clock: say when, e.g. CLOCK=2026-12-05T03:00+08:00" >&2; exit 2; }
	env -u DATABASE_URL -u REDIS_URL KEFU_TEST_CLOCK='$(CLOCK)' \
		$(VENV)/bin/pytest -p no:cacheprovider $(if $(filter-out 0 1,$(CLOCK_WORKERS)),-n $(CLOCK_WORKERS)) $(PYTEST_ARGS)

# The API fuzzer (schemathesis, tests/fuzz). pytest's exit status 5 (no tests collected) is a failure here.
# Every menu page of every demo person at desktop and phone size into screenshots/ (needs /usr/bin/chromium).
screenshots: setup
	$(PY) scripts/screenshots.py $(SCREENSHOT_ARGS)

fuzz: setup
	KEFU_FUZZ=1 $(VENV)/bin/pytest -p no:cacheprovider tests/fuzz; status=$$?; \
	if [ $$status = 5 ]; then echo "make fuzz: no fuzz tests were collected in tests/fuzz" >&2; exit 1; fi; \
	exit $$status

bench: setup
	$(PY) manage.py bench

clean:
	rm -rf $(VENV) node_modules kefu/static/vendor staticfiles

# Refresh the Chinese message catalogue after changing interface strings (needs GNU gettext).
messages: setup
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=node_modules --ignore=staticfiles
