# Baqylau: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the whole suite.
# Each step is skipped when its inputs have not changed (requirements, the secret key).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_DEBUG ?= true

.PHONY: run test lint serve worker beat clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Baqylau needs Python 3.11 or newer; set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-run

.local/secret_key:
	@mkdir -p .local
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@

run: $(VENV)/.installed-run .local/secret_key
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed-dev .local/secret_key
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	DJANGO_DEBUG=false $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

# Against Redis (REDIS_URL=redis://127.0.0.1:6379/0) instead of in-process tasks:
worker: $(VENV)/.installed-run .local/secret_key
	$(BIN)/celery -A config worker --loglevel=info

beat: $(VENV)/.installed-run .local/secret_key
	$(BIN)/celery -A config beat --loglevel=info

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
