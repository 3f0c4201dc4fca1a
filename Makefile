# Two commands for a new user: `make run` (set up and start with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
export DJANGO_SETTINGS_MODULE ?= pracha.settings.dev

.PHONY: run test setup lint types migrations-check pytest assets clean

run: setup
	$(MANAGE) migrate --no-input
	$(MANAGE) createcachetable
	$(MANAGE) seed_demo
	$(MANAGE) collectstatic --no-input --verbosity 0
	$(MANAGE) serve

test: export DJANGO_SETTINGS_MODULE = pracha.settings.test
test: setup lint types migrations-check pytest

setup: $(VENV)/.installed node_modules/.installed pracha/static/build/pracha.css var/secret_key
	$(BIN)/python manage.py compile_translations

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types:
	$(BIN)/mypy pracha tests bench simulators

migrations-check:
	$(MANAGE) makemigrations --check --dry-run

pytest:
	$(BIN)/pytest

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

# The design system, the Thai font and axe-core come from the npm registry, pinned by package-lock.json.
node_modules/.installed: package-lock.json
	@command -v npm >/dev/null || { echo "Installing Node.js and npm (Debian packages)"; apt-get update -q && apt-get install -y -q nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

pracha/static/build/pracha.css: node_modules/.installed $(wildcard pracha/static/scss/*.scss)
	mkdir -p pracha/static/build
	npm run --silent build:css

var/secret_key:
	mkdir -p var
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

clean:
	rm -rf $(VENV) node_modules var pracha/static/build
