#!/bin/sh
# The detector's second corpus (gen_corpus2.py: a service's world, written
# before the detector was tuned) and the real agent's fixtures
# (tests/corpus/real), run by `make check`: leakplot --check and --json over
# every scenario; precision, recall and false alarms per 1,000 quiet series
# for each half (tune, heldout, real).  The real fixtures must score >=
# 0.98 with no false alarm; the held-out half must not fall below the
# figures of the detector when it was committed (a floor, not the goal);
# the goal (>= 0.98, no false alarm) is reported as met or NOT MET.
# CORPUS_SCALE=2 doubles the scenarios of each family.
cd "$(dirname "$0")/../.." || exit 2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 tests/corpus/gen_corpus2.py "$T" --scale "${CORPUS_SCALE:-1}" || exit 2
python3 tests/corpus/real/place.py tests/corpus/real "$T" || exit 2
python3 tests/corpus/check_corpus.py plot/leakplot "$T" --name corpus2 --bar 0.98 \
    --gate real --floor heldout:0.84:0.79 --target 0.98
