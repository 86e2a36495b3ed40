# mediabase — build, test, demo, benchmark.
SWIFT ?= swift
CONFIG ?= release
BIN := .build/$(CONFIG)/mediabase
DEMO_OUT := demo-out

.PHONY: build test demo bench bench-quick fixtures clean

build:
	$(SWIFT) build -c $(CONFIG) --product mediabase

# Unit tests, decoder property tests, and end-to-end tests against a private PostgreSQL cluster.
test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

DEMO_INPUT ?= fixtures/legacy/corruption_cases.sql

# The main job on a bundled fixture: inspect the legacy dump, convert it, validate, query.
demo: build
	@rm -rf $(DEMO_OUT) && mkdir -p $(DEMO_OUT)
	$(BIN) inspect $(DEMO_INPUT)
	$(BIN) convert $(DEMO_INPUT) --to sqlite $(DEMO_OUT)/core.sqlite --progress never
	$(BIN) validate $(DEMO_OUT)/core.sqlite
	sqlite3 -header -column $(DEMO_OUT)/core.sqlite \
	  "SELECT gene_symbol, transcript_count, drug_count, pathway_count, go_term_count FROM gene_summary_view ORDER BY gene_symbol"
	@echo "demo: core database in $(DEMO_OUT)/core.sqlite, report in $(DEMO_OUT)/report.json"

fixtures: build
	bash fixtures/make-fixtures.sh $(BIN)

bench: build
	bash bench/run.sh

bench-quick: build
	bash bench/run.sh --quick

clean:
	rm -rf .build $(DEMO_OUT)
