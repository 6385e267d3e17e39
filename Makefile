# The two commands: `make run` and `make test`. Both install into .venv first if needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PACKAGES := shared services/applications services/vetting services/access services/notifications
PYPROJECTS := pyproject.toml $(addsuffix /pyproject.toml,$(PACKAGES))

.PHONY: install run demo test lint fuzz bench bench-gate events-doc sar clean

install: $(STAMP)

$(STAMP): $(PYPROJECTS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(addprefix -e ,$(PACKAGES)) -e '.[dev]'
	touch $(STAMP)

run: install
	$(PY) -m shared.devstack

demo: install
	$(PY) deploy/demo.py

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) bench/backbone.py

bench-gate: install
	$(PY) bench/gatecheck.py

events-doc: install
	$(PY) -m shared.events.docs > docs/events.md

# A subject access request from all four services: make sar PERSON=<id> [OUT=bundle.json]
sar: install
	@test -n "$(PERSON)" || { echo "usage: make sar PERSON=<person or application id> [OUT=file]" >&2; exit 2; }
	$(PY) -m shared.subject_access_bundle --person "$(PERSON)" $(if $(OUT),--out "$(OUT)")

clean:
	rm -rf var .pytest_cache
