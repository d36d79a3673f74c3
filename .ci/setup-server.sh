#!/usr/bin/env bash
# What the language server's tests need beyond Python packages: Neovim 0.7 (Debian 12) for
# tests/test_server_neovim.py. Idempotent; run as root by .ci/run.
set -euo pipefail
if ! command -v nvim >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends neovim >/dev/null
fi
nvim --version | head -n 1
