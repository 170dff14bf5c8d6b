#!/bin/sh
# Print, one per line, the interpreters among the arguments that are CPython
# 3.11 or later, as absolute paths of the real executable (pyenv shims are
# resolved through sys.executable), dropping later ones whose EXT_SUFFIX was
# already seen: two interpreters of one ABI tag would share one extension
# file in agent/python/leakagent/.  Arguments that do not run are skipped
# with a note on stderr.
seen=""
for py in "$@"; do
    info=$("$py" -c 'import sys, sysconfig
ok = sys.implementation.name == "cpython" and sys.version_info >= (3, 11)
print(sys.executable if ok else "", sysconfig.get_config_var("EXT_SUFFIX"))' 2>/dev/null) || {
        echo "find_pythons: skipping $py (does not run)" >&2
        continue
    }
    exe=${info% *}
    suffix=${info##* }
    [ -n "$exe" ] || continue
    case " $seen " in
    *" $suffix "*) continue ;;
    esac
    seen="$seen $suffix"
    echo "$exe"
done
