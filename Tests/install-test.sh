#!/usr/bin/env bash
# make install-test: `make install` into a scratch DESTDIR, then the installed binary does a real
# job (generate a tiny dataset, convert it, validate the result) inside a mount namespace where
# /opt/swift (the toolchain, with its runtime libraries) is an empty folder, so nothing can load
# from it. Also: ldd names no Swift or Foundation library, `man -l` renders every page, and the
# bash, zsh and fish completions parse. Needs root (unshare -m) and man, zsh and fish; a missing
# tool fails the test (.ci/install-deps.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT_ROOT=${SWIFT_ROOT:-/opt/swift}
fail() { echo "install-test: $*" >&2; exit 1; }
for tool in man zsh fish unshare; do
  command -v "$tool" >/dev/null || fail "$tool is missing: .ci/install-deps.sh installs it"
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
make install DESTDIR="$scratch/root" PREFIX=/usr/local
prefix=$scratch/root/usr/local
bin=$prefix/bin/mediabase

# No Swift runtime or Foundation library is needed, and nothing resolves inside the toolchain.
if ldd "$bin" | grep -E 'libswift|libFoundation|libdispatch|libBlocksRuntime|libicu|'"$SWIFT_ROOT"; then
  fail "the installed binary still links the libraries above"
fi

# The real job, with the toolchain hidden: an empty folder is mounted over it in a private
# mount namespace, and the environment is emptied but for PATH.
mkdir -p "$scratch/empty" "$scratch/job"
env -i PATH=/usr/bin:/bin unshare -m bash -euo pipefail -c '
  mount --bind "$1" "$2"
  test -z "$(ls -A "$2")" || { echo "install-test: $2 is still visible" >&2; exit 1; }
  cd "$3"
  "$4" --version
  "$4" generate --seed 3 --genes 20 --patients 1 --out data
  "$4" convert data/mbase.sql --to sqlite core.sqlite --progress never
  "$4" validate core.sqlite
  "$4" convert data/mbase.sql --to bundle core.bundle --progress never
  "$4" validate core.bundle
' install-test "$scratch/empty" "$SWIFT_ROOT" "$scratch/job" "$bin"
test -s "$scratch/job/core.sqlite" || fail "convert wrote no core.sqlite"
test -s "$scratch/job/core.bundle/manifest.json" || fail "convert wrote no bundle"

# Every subcommand has a page and every page renders.
pages=$(ls "$prefix/share/man/man1")
for command in convert generate inspect patients validate rewrite-query serve; do
  grep -qx "mediabase.$command.1" <<<"$pages" || fail "no man page for mediabase $command"
done
for page in "$prefix"/share/man/man1/*.1; do
  rendered=$(MANWIDTH=80 man -l "$page" 2>"$scratch/man.err")
  # generate-manual keeps the blank lines between the paragraphs of a discussion, which groff's
  # mdoc notes as "Empty input line" and renders as paragraph breaks; anything else fails.
  problems=$(grep -v 'mdoc warning: Empty input line' "$scratch/man.err" || true)
  test -z "$problems" || fail "man -l $page: $problems"
  grep -q "SYNOPSIS" <<<"$rendered" || fail "man -l $page rendered no SYNOPSIS"
done
MANWIDTH=80 man -l "$prefix/share/man/man1/mediabase.convert.1" | grep -q -- "--sample-genes" \
  || fail "the convert page does not list --sample-genes"

bash -n "$prefix/share/bash-completion/completions/mediabase"
zsh -n "$prefix/share/zsh/site-functions/_mediabase"
fish -n "$prefix/share/fish/vendor_completions.d/mediabase.fish"

make uninstall DESTDIR="$scratch/root" PREFIX=/usr/local
left=$(find "$scratch/root" -type f)
test -z "$left" || fail "make uninstall left: $left"
echo "install-test: 1 passed, 0 failed"
