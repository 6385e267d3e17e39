# The two commands: `make run` and `make test`. Both install into .venv first if needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# GOV.UK Frontend (the front doors' CSS, JS, fonts and images), pinned in package-lock.json.
NODE_STAMP := node_modules/.installed
PACKAGES := shared services/applications services/vetting services/access services/notifications \
  tools/devidp tools/devstack tools/subject_access_bundle
PYPROJECTS := pyproject.toml $(addsuffix /pyproject.toml,$(PACKAGES))
# Keep bytecode caches even where the shell turns them off: the suite and `make run` start
# dozens of Python processes, and without caches each compiles our code and pytest rewrites
# its plugins' assertions again (about a second of CPU per process).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install run demo secrets lock test test-fast lint fuzz bench bench-gate chaos events-doc sar clean

install: $(STAMP) $(NODE_STAMP)

$(STAMP): $(PYPROJECTS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(addprefix -e ,$(PACKAGES)) -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

run: install
	$(PY) -m devstack

demo: install
	$(PY) deploy/demo.py

# Fresh production secrets for docker-compose.yml in .env (refuses to overwrite an existing one:
# the data is encrypted under them). deploy/.env.example lists what it holds.
secrets: install
	$(PY) -m shared secrets --out .env

# Each image's Python dependencies pinned with their hashes (deploy/requirements/<service>.txt,
# what the Dockerfile installs): run after changing a pyproject's dependencies.
lock: install
	$(PY) deploy/lock.py

# The whole suite on three workers (one test at a time to whichever is free, the scenarios that
# share a run mode's stack together on one; the end-to-end tests spend much of their time
# waiting on processes). No test touches another's servers: those that need an outage start
# their own PostgreSQL and RabbitMQ. The 15 slowest tests are listed last.
# TEST_CLOCK_AT=03:30 (London, today) or =2027-03-28T00:30 shifts the whole run's clock.
# Lint (style, format, types) first: a change that breaks it fails in seconds.
PYTEST_WORKERS ?= 3
test: install lint
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=15 $(PYTEST_ARGS)

# Unit tests and the SQLite side of the integration tests: no servers, no processes (~1 minute).
# Property tests run a quarter of their examples here (tests/support/properties.py).
test-fast: install
	PROPERTY_EXAMPLES_SCALE=0.25 $(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal tests/unit tests/integration \
	  -m "not real_backends and not slow" $(PYTEST_ARGS)

# Style, format and types: ruff (pyproject [tool.ruff]) and mypy (pyproject [tool.mypy]).
# The same three run as pre-commit hooks (.pre-commit-config.yaml).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Hostile input against every operation of every service's OpenAPI document (tests/fuzz):
# FUZZ_EXAMPLES random cases per operation, on SQLite and on PostgreSQL + RabbitMQ, with a new
# seed each run, printed; `make fuzz FUZZ_SEED=<seed>` replays it. `make test` runs the same
# test with 10 cases, derandomized, on SQLite only.
FUZZ_EXAMPLES ?= 200
fuzz: install
	@seed=$${FUZZ_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; \
	echo "fuzz: seed $$seed, $(FUZZ_EXAMPLES) examples per operation (replay: make fuzz FUZZ_SEED=$$seed)"; \
	FUZZ_SEED=$$seed FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_BACKENDS=$${FUZZ_BACKENDS:-embedded,real} \
		$(PY) -m pytest tests/fuzz -s -p no:cacheprovider $(PYTEST_ARGS)

# Every benchmark, one table (bench/README.md; ~25 minutes, the soak alone 10):
# make bench [BENCH_ARGS="--quick" | "--only scale,soak" | "--skip soak"]
bench: install
	bench/run $(BENCH_ARGS)

bench-backbone: install
	$(PY) bench/backbone.py

bench-gate: install
	$(PY) bench/gatecheck.py

# Whole-system faults under a steady flow (bench/chaos.py; `make test` runs it with --quick):
# on a private PostgreSQL and RabbitMQ that it starts, restarts and removes.
chaos: install
	$(PY) bench/chaos.py $(CHAOS_ARGS)

events-doc: install
	$(PY) -m shared.events.docs > docs/events.md

# A subject access request from all four services: make sar PERSON=<id> [OUT=bundle.json]
sar: install
	@test -n "$(PERSON)" || { echo "usage: make sar PERSON=<person or application id> [OUT=file]" >&2; exit 2; }
	$(PY) -m subject_access_bundle --person "$(PERSON)" $(if $(OUT),--out "$(OUT)")

clean:
	rm -rf var .pytest_cache
