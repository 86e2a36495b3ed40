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

demo: build
	@rm -rf $(DEMO_OUT) && mkdir -p $(DEMO_OUT)
	$(BIN) inspect fixtures/legacy/mini_plain.sql
	$(BIN) inspect fixtures/legacy/mini_plain.sql --json > $(DEMO_OUT)/inspect.json
	@echo "demo: inspection report written to $(DEMO_OUT)/inspect.json"

fixtures: build
	bash fixtures/make-fixtures.sh $(BIN)

bench: build
	bash bench/run.sh

bench-quick: build
	bash bench/run.sh --quick

clean:
	rm -rf .build $(DEMO_OUT)
