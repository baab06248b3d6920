# `make chat` and `make test` install whatever is missing first (see README.md).
SHELL := /bin/bash
PY := .venv/bin/python
ES_PORT ?= 9200
# Optional dependency sets installed into .venv; `make test` adds `train` for the training smoke test.
EXTRAS ?= dev

.PHONY: setup chat test lint es-up es-down

# System packages, then .venv (a stamp makes a second run take a second), then the
# Elasticsearch distribution (a no-op once unpacked).
setup:
	bash scripts/install-system.sh
	EXTRAS=$(EXTRAS) bash scripts/setup-venv.sh
	$(PY) -m operatorx.tools.elastic.local_cluster install >/dev/null

chat: setup
	.venv/bin/operatorx chat

# pytest exits 5 when it collected no tests: say so (make fails on any non-zero status).
test: EXTRAS = dev,train
test: setup
	$(PY) -m pytest -q $(PYTEST_ARGS) || { rc=$$?; \
	    if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; exit $$rc; }

lint: setup
	$(PY) -m ruff check .

es-up: setup
	$(PY) -m operatorx.tools.elastic.local_cluster start --port $(ES_PORT)

es-down:
	if [ -x $(PY) ]; then $(PY) -m operatorx.tools.elastic.local_cluster stop --port $(ES_PORT); fi
