#!/bin/sh
# include_graph.sh: who includes whom among the project's own C files
# (`make graph`): one line "file: header header ..." per file of agent/ and
# plot/ (system headers left out), then which files include <yaml.h>,
# <cairo.h> and <Python.h>, and the totals.  Read, not judged: issue 15
# compares it before and after a refactor.
cd "$(dirname "$0")/.." || exit 2
files=$(ls agent/*.c agent/*.h agent/python/*.c agent/python/*.h plot/*.c plot/*.h 2>/dev/null)
edges=0
for f in $files; do
    deps=$(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | tr '\n' ' ')
    n=$(echo $deps | wc -w)
    edges=$((edges + n))
    echo "$f: $deps"
done
for lib in yaml.h cairo.h Python.h; do
    echo "<$lib>: $(grep -l "^#include <$lib>" $files | tr '\n' ' ')"
done
echo "$(echo $files | wc -w) files, $edges includes of project headers"
