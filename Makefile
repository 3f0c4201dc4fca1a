# Two commands for a new user: `make run` (set up and start with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
export DJANGO_SETTINGS_MODULE ?= pracha.settings.dev

.PHONY: run test setup system-packages lint types migrations-check pytest assets clean

run: setup
	$(MANAGE) migrate --no-input
	$(MANAGE) createcachetable
	$(MANAGE) seed_demo
	$(MANAGE) signing_keys
	$(MANAGE) collectstatic --no-input --verbosity 0
	$(MANAGE) serve

test: export DJANGO_SETTINGS_MODULE = pracha.settings.test
test: setup lint types migrations-check pytest

setup: system-packages $(VENV)/.installed node_modules/.installed pracha/static/build/pracha.css var/secret_key
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

# WeasyPrint draws PDFs with Pango; the document tests read them with poppler-utils (pdffonts, pdftoppm)
# and render Thai with fonts-thai-tlwg. Debian packages, installed only when missing.
system-packages:
	@missing=""; \
	ldconfig -p | grep -q 'libpango-1.0.so' || missing="$$missing libpango-1.0-0"; \
	ldconfig -p | grep -q libpangoft2 || missing="$$missing libpangoft2-1.0-0"; \
	{ command -v pdffonts && command -v pdftoppm; } >/dev/null || missing="$$missing poppler-utils"; \
	fc-list 2>/dev/null | grep -q Laksaman || missing="$$missing fonts-thai-tlwg"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; apt-get update -q && apt-get install -y -q $$missing; \
	fi

$(VENV)/.installed: requirements.lock requirements-pip.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-pip.lock
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
