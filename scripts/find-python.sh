#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 interpreter, or explains why there is none.
# Order: $PYTHON, the version pinned in .python-version through pyenv, then PATH, then pyenv's folders.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
if command -v pyenv >/dev/null 2>&1; then
    want=$(cat "$(dirname "$0")/../.python-version" 2>/dev/null || true)
    for v in $(pyenv versions --bare 2>/dev/null | sort -rV); do
        case "$v" in "$want"*) candidates+=("$(pyenv root)/versions/$v/bin/python");; esac
    done
fi
candidates+=(python3.14 python3.13 python3.12)
for d in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]* /usr/local/bin /usr/bin; do
    for p in "$d"/bin/python3 "$d"/python3.1[2-9]; do [ -x "$p" ] && candidates+=("$p"); done
done
candidates+=(python3)
for c in "${candidates[@]}"; do
    p=$(command -v "$c" 2>/dev/null) || continue
    if ok "$p"; then echo "$p"; exit 0; fi
done
echo "error: this portal needs Python 3.12 or newer (Django 6.1 requires it), and none was found." >&2
echo "       Install one (for example 'pyenv install 3.12') or point PYTHON at it: make run PYTHON=/path/to/python3.12" >&2
exit 1
