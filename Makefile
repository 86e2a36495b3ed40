# mediabase — build, test, demo, benchmark.
SWIFT ?= swift
CONFIG ?= release
BIN := .build/$(CONFIG)/mediabase
DEMO_OUT := demo-out

.PHONY: build test demo bench bench-quick fixtures clean

build:
	$(SWIFT) build -c $(CONFIG) --product mediabase

# The benchmark harness on small inputs (to keep it working), then the unit, property and
# end-to-end tests (against a private PostgreSQL cluster); the test summary comes last.
test:
	$(SWIFT) build --build-tests
	bash bench/run.sh --quick
	$(SWIFT) test --skip-build --disable-swift-testing

DEMO_DATA ?= fixtures/generated/seed1-genes12

# The main job on a bundled fixture: inspect the generated legacy dump (with its planted
# corruption), convert it to SQLite and to a PostgreSQL bundle, validate both, normalize the
# eight patient files against the core, and run one of the guide's queries.
demo: build
	@rm -rf $(DEMO_OUT) && mkdir -p $(DEMO_OUT)
	$(BIN) inspect $(DEMO_DATA)/mbase.sql || test $$? -eq 2
	$(BIN) convert $(DEMO_DATA)/mbase.sql --to sqlite $(DEMO_OUT)/core.sqlite --progress never
	$(BIN) validate $(DEMO_OUT)/core.sqlite
	$(BIN) convert $(DEMO_DATA)/mbase.sql --to bundle $(DEMO_OUT)/core.bundle --progress never
	$(BIN) validate $(DEMO_OUT)/core.bundle
	$(BIN) patients --manifest $(DEMO_DATA)/patients/patients.csv --core $(DEMO_OUT)/core.sqlite \
	  --to sqlite $(DEMO_OUT)/patients --progress never
	$(BIN) validate $(DEMO_OUT)/patients --core $(DEMO_OUT)/core.sqlite
	sqlite3 -header -column $(DEMO_OUT)/core.sqlite \
	  "SELECT gene_symbol, transcript_count, drug_count, pathway_count, go_term_count FROM gene_summary_view ORDER BY gene_symbol"
	@echo "demo: core in $(DEMO_OUT)/core.sqlite, bundle in $(DEMO_OUT)/core.bundle (load.sh DBNAME loads it), patients in $(DEMO_OUT)/patients, reports beside them"

fixtures: build
	bash fixtures/make-fixtures.sh $(BIN)

# Full benchmark (about 1 GB inputs, 3 repetitions, then the full-scale run); see bench/bench.py --help.
bench: build
	bash bench/run.sh --full-scale

# Small inputs, one repetition, the debug binary: keeps the harness working (make test runs it).
bench-quick:
	$(SWIFT) build
	bash bench/run.sh --quick

clean:
	rm -rf .build $(DEMO_OUT)
