#!/bin/sh
# The detector's labeled corpus, run by `make check`: generate it (seeded,
# into a temporary directory), run leakplot --check and --json over every
# scenario, print precision and recall (both must be 1.0) and a final
# "N passed, N failed".  CORPUS_SCALE=2 doubles the variants per family.
cd "$(dirname "$0")/../.." || exit 2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 tests/corpus/gen_corpus.py "$T" --scale "${CORPUS_SCALE:-1}" || exit 2
python3 tests/corpus/check_corpus.py plot/leakplot "$T"
