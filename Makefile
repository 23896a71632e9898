# Two commands: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
PORT   ?= 5000

.PHONY: run dev test setup db demo translations extract-messages stop clean system-run system-test

# Debian packages (Tesseract, Pango, Chromium...): installed when root, else the command to run.
system-run:
	@bash scripts/system-packages.sh run

system-test:
	@bash scripts/system-packages.sh test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy --statistics -d translations

setup: $(VENV)/.installed translations

db: setup
	$(FLASK) db upgrade

demo: system-run db
	$(FLASK) catalog load
	$(FLASK) demo load

run: demo
	@echo ""
	@echo "qualirepar : http://127.0.0.1:$(PORT)  (Ctrl+C pour arrêter)"
	@echo "comptes de démonstration (mot de passe demo-qualirepar-2026) : gerant@demo.qualirepar.fr, technicien@demo.qualirepar.fr, support@demo.qualirepar.fr"
	@echo ""
	PORT=$(PORT) $(BIN)/honcho start -f Procfile

# The same processes with Flask's development server instead of gunicorn (never for a shop's counter PC).
dev: demo
	PORT=$(PORT) $(BIN)/honcho start -f Procfile.dev

test: system-test setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

extract-messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations

stop:
	$(FLASK) redis stop

clean:
	rm -rf $(VENV) .pytest_cache
