# Quick start: `make run` (set up, train when needed, start everything) and `make test`.
.PHONY: setup run train test test-fast validate clean

setup:
	@bash scripts/setup.sh

run: setup
	@.venv/bin/infoline run

train: setup
	@.venv/bin/infoline train

test:
	@bash scripts/setup.sh --with-browser
	@.venv/bin/python -m pytest -q

test-fast: setup
	@.venv/bin/python -m pytest -q -m "not slow"

validate: setup
	@.venv/bin/infoline kb validate

clean:
	rm -rf var models
