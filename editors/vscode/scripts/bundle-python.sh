#!/usr/bin/env bash
# Fills bundled/libs with the Python code the language server needs, for the .vsix:
#   1. its pure-Python dependencies, pinned and hashed in requirements.txt (pip --require-hashes);
#   2. barrier-lint itself (barrier_lint + barrier_lint_server), built as a wheel from this repository.
#      It is not on PyPI at this version, so it cannot be pinned by hash: it is whatever the checkout holds.
# The C YAML parser (ruamel.yaml.clib) is not bundled: the server uses it when the user's interpreter
# already has it and falls back to pure Python otherwise.
# Environment: PYTHON (default python3) builds and checks; BARRIER_LINT_SOURCE (default: the repository root)
# is the project the wheel is built from.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
source_dir=${BARRIER_LINT_SOURCE:-$(cd ../.. && pwd)}

rm -rf bundled/libs build/wheel
mkdir -p bundled/libs build/wheel

"$PYTHON" -m pip install -q --target bundled/libs \
  --implementation py --only-binary=:all: --no-deps --require-hashes -r requirements.txt

# Built from a copy: setuptools keeps a build/ folder in the source tree, and files left there from an
# earlier build (a module since deleted) would end up in the wheel.
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
tar -C "$source_dir" --exclude=./.git --exclude=./build --exclude=./editors --exclude=./test-output \
  --exclude='*.egg-info' --exclude=__pycache__ --exclude=node_modules -cf - . | tar -C "$copy" -xf -
"$PYTHON" -m pip wheel -q --no-deps -w build/wheel "$copy"
wheels=(build/wheel/*.whl)
[ ${#wheels[@]} -eq 1 ] || { echo "expected one wheel, got: ${wheels[*]}" >&2; exit 1; }
"$PYTHON" -m pip install -q --target bundled/libs --no-deps "${wheels[0]}"

# Console-script launchers carry this machine's interpreter path; the extension runs `python -m` instead.
rm -rf bundled/libs/bin
find bundled/libs -name __pycache__ -type d -prune -exec rm -rf {} +

# Bytecode for the building interpreter's version, shipped in the .vsix: without it every start compiles
# lsprotocol.types and the rest again when bytecode writing is off (PYTHONDONTWRITEBYTECODE, common in
# managed environments), and `initialize` takes seconds. unchecked-hash: valid whatever the installed
# files' modification times (a .vsix does not keep them); the files never change once installed. Other
# Python versions compile on their first start and keep their own bytecode beside it (the extension lets
# its server write bytecode into its own folder).
"$PYTHON" -m compileall -q -j 0 --invalidation-mode unchecked-hash bundled/libs

# Only pure Python may be bundled: one .vsix serves every platform and interpreter.
if compiled=$(find bundled/libs \( -name '*.so' -o -name '*.pyd' -o -name '*.dylib' \) | grep .); then
  echo "compiled modules in bundled/libs (not portable):" >&2; echo "$compiled" >&2; exit 1
fi

# The bundle must start the server on its own: with -S nothing from site-packages can help it.
PYTHONPATH=bundled/libs timeout 60 "$PYTHON" scripts/smoke_server.py "$PYTHON" -S -m barrier_lint_server
echo "bundled/libs: $(ls bundled/libs | grep -v dist-info | tr '\n' ' ')"
