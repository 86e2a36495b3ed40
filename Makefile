# mediabase — build, test, demo, benchmark.
SWIFT ?= swift
CONFIG ?= release
BIN := .build/$(CONFIG)/mediabase
DEMO_OUT := demo-out

.PHONY: build test demo bench bench-quick fixtures clean install uninstall release man goldens install-test

# The binary links the Swift runtime statically, as `make install` ships it (and so that the
# two never rebuild each other's output with other flags).
build:
	$(SWIFT) build -c $(CONFIG) --static-swift-stdlib --product mediabase

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

# Full benchmark (about 1 GB inputs, 3 repetitions, then the full-scale run, then serve under wrk
# beside Datasette on the full-size core); see bench/bench.py --help and bench/serve.py --help.
bench: build
	bash bench/run.sh --full-scale

# Small inputs, one repetition, the debug binary: keeps the harness working (make test runs it).
bench-quick:
	$(SWIFT) build
	bash bench/run.sh --quick

clean:
	rm -rf .build $(DEMO_OUT)

# --- Install like a native tool ------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=]: the release binary, with the Swift runtime and
# Foundation linked in statically, so it runs without the toolchain; one man page per command,
# generated from the argument parser by swift-argument-parser's generate-manual plugin; and the
# bash, zsh and fish completions the binary writes itself.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR := $(DESTDIR)$(PREFIX)/bin
MANDIR := $(DESTDIR)$(PREFIX)/share/man/man1
BASHDIR := $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR := $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR := $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
RELEASE_BIN := .build/release/mediabase
MAN_OUT := .build/plugins/GenerateManual/outputs/mediabase
# The pages' date: the last commit's, so that the same sources give the same pages.
MAN_DATE := $(shell git log -1 --format=%cs 2>/dev/null || echo 1970-01-01)

# The plugin builds the package and runs the binary's --experimental-dump-help; the debug build
# gives the same pages without rebuilding the release one with other flags. The pages are made
# again only when a source changed, so a second `make install` does not wait for the plugin.
MAN_PAGE := $(MAN_OUT)/mediabase.1
$(MAN_PAGE): Package.swift $(shell find Sources -name '*.swift')
	rm -rf $(MAN_OUT)
	$(SWIFT) package generate-manual --configuration debug --multi-page --date $(MAN_DATE)

man: $(MAN_PAGE)

release:
	$(MAKE) build CONFIG=release

install: release man
	install -d $(BINDIR) $(MANDIR) $(BASHDIR) $(ZSHDIR) $(FISHDIR)
	install -s -m 755 $(RELEASE_BIN) $(BINDIR)/mediabase
	install -m 644 $(MAN_OUT)/*.1 $(MANDIR)/
	$(RELEASE_BIN) --generate-completion-script bash > $(BASHDIR)/mediabase
	$(RELEASE_BIN) --generate-completion-script zsh > $(ZSHDIR)/_mediabase
	$(RELEASE_BIN) --generate-completion-script fish > $(FISHDIR)/mediabase.fish

uninstall:
	rm -f $(BINDIR)/mediabase $(MANDIR)/mediabase.1 $(MANDIR)/mediabase.*.1
	rm -f $(BASHDIR)/mediabase $(ZSHDIR)/_mediabase $(FISHDIR)/mediabase.fish

# Installs into a scratch prefix and runs the installed binary with the toolchain out of reach
# (Tests/install-test.sh says how).
install-test:
	bash Tests/install-test.sh

# Rewrites the help golden files (Tests/Goldens/help) from the built binary; review the diff.
goldens:
	$(SWIFT) build --build-tests
	MEDIABASE_UPDATE_GOLDENS=1 $(SWIFT) test --skip-build --disable-swift-testing --filter HelpGoldenTests
