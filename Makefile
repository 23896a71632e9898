# Two commands: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
PORT   ?= 5000

.PHONY: run test setup db demo translations extract-messages stop clean

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

demo: db
	$(FLASK) catalog load
	$(FLASK) demo load

run: demo
	@echo ""
	@echo "qualirepar : http://127.0.0.1:$(PORT)  (Ctrl+C pour arrêter)"
	@echo ""
	PORT=$(PORT) $(BIN)/honcho start -f Procfile

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

extract-messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations

stop:
	$(FLASK) redis stop

clean:
	rm -rf $(VENV) .pytest_cache
