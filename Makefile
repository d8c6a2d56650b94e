# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)
export FLASK_APP := marketplace

.PHONY: run test install lint messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Migrate, load the catalog (and demo data the first time), then serve the site with the
# scheduler beside it; Ctrl-C stops both.
run: install
	$(BIN)/flask bootstrap
	@$(BIN)/flask scheduler run & sched=$$!; \
	trap 'kill $$sched 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:5000 --access-logfile - wsgi:app

# The suite spreads over the machine's cores; PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# Re-extract the translatable strings after changing templates or messages, then translate the
# new entries in marketplace/translations/*/LC_MESSAGES/messages.po (the app compiles them).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _l -o /tmp/marketplace-messages.pot .
	$(BIN)/pybabel update -i /tmp/marketplace-messages.pot -d marketplace/translations --no-fuzzy-matching
