#!/usr/bin/env bash
# Installs the outside tools the CI-integration tests check barrier-lint's output with, idempotently:
#   - pre-commit (PyPI), for tests/test_precommit*.py: runs .pre-commit-hooks.yaml as users do
#   - Microsoft's SARIF Multitool (npm), for tests/test_formats*.py: validates the sarif format
# Both go into a cache folder the tests look in ($BARRIER_LINT_CI_CACHE, default ~/.cache/barrier-lint-ci).
# Run as root by .ci/run. Re-running skips whatever is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${BARRIER_LINT_CI_CACHE:-$HOME/.cache/barrier-lint-ci}
PRE_COMMIT_VERSION=4.7.0
SARIF_MULTITOOL_VERSION=5.7.0
mkdir -p "$CACHE"
log() { echo "[setup-integrations] $*"; }

# --- pre-commit: its own virtual environment, so it cannot disturb the project's packages ----------
if [ ! -x "$CACHE/pre-commit/bin/pre-commit" ] \
   || ! "$CACHE/pre-commit/bin/pre-commit" --version | grep -q " $PRE_COMMIT_VERSION\$"; then
  log "pre-commit $PRE_COMMIT_VERSION"
  rm -rf "$CACHE/pre-commit"
  # The interpreter the tests run with (.ci/run's python); Debian's own python3 may lack the venv module.
  python=$(command -v python || command -v python3)
  "$python" -m venv "$CACHE/pre-commit" || { log "cannot create a virtual environment with $python"; exit 1; }
  "$CACHE/pre-commit/bin/python" -m pip install -q --disable-pip-version-check "pre-commit==$PRE_COMMIT_VERSION"
fi
"$CACHE/pre-commit/bin/pre-commit" --version

# --- SARIF Multitool ------------------------------------------------------------------------------
if ! command -v npm >/dev/null; then
  log "npm is missing: install Node.js 18+ (apt-get install nodejs npm)"
  exit 1
fi
tool="$CACHE/sarif/node_modules/.bin/sarif-multitool"
if [ ! -x "$tool" ] || ! grep -q "\"version\": \"$SARIF_MULTITOOL_VERSION\"" \
     "$CACHE/sarif/node_modules/@microsoft/sarif-multitool/package.json" 2>/dev/null; then
  log "@microsoft/sarif-multitool $SARIF_MULTITOOL_VERSION"
  mkdir -p "$CACHE/sarif"
  (cd "$CACHE/sarif" && { [ -f package.json ] || echo '{"private": true}' > package.json; } \
     && npm install --no-audit --no-fund --loglevel=error "@microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION")
fi
"$tool" --version >/dev/null 2>&1 || "$tool" --help >/dev/null 2>&1 || { log "sarif-multitool does not run"; exit 1; }
log "sarif-multitool ready: $tool"
