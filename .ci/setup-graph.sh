#!/usr/bin/env bash
# Installs what the graph tests (tests/test_graph_renderers.py) and bench/bench_graph.py need, from scratch
# and idempotently:
#   - Debian's Graphviz (`dot`), to parse and render the DOT form;
#   - Chromium (Debian; also installed by setup-editors.sh), to render the Mermaid form in a real browser;
#   - the npm `mermaid` package (its dist bundle is loaded into Chromium) and playwright-core (drives
#     Chromium), into the CI cache folder. mermaid-cli is not used: it downloads its own browser.
# Run as root by .ci/run. Re-running skips whatever is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib.sh

CACHE=${BARRIER_LINT_CI_CACHE:-$HOME/.cache/barrier-lint-ci}
MERMAID_VERSION=12.3.0
PLAYWRIGHT_VERSION=1.65.1
t0=$SECONDS
log() { echo "[setup-graph +$((SECONDS - t0))s] $*"; }

apt_install log graphviz chromium
log "$(dot -V 2>&1)"

graph=$CACHE/graph
want="mermaid@$MERMAID_VERSION playwright-core@$PLAYWRIGHT_VERSION"
if [ "$(cat "$graph/.installed" 2>/dev/null)" != "$want" ] || [ ! -f "$graph/node_modules/mermaid/dist/mermaid.min.js" ]; then
  log "installing $want"
  rm -rf "$graph" && mkdir -p "$graph"
  (cd "$graph" && echo '{"name":"barrier-lint-ci-graph","private":true}' > package.json &&
   npm install --no-audit --no-fund --loglevel=error "mermaid@$MERMAID_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null)
  echo "$want" > "$graph/.installed"
fi
log "mermaid: $(node -p "require('$graph/node_modules/mermaid/package.json').version")"
log "done"
