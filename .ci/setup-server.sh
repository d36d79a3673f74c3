#!/usr/bin/env bash
# What the language server's tests need beyond Python packages: Neovim 0.7 (tests/test_server_neovim.py)
# and Emacs with eglot (tests/test_server_emacs.py), both from Debian 12. Idempotent; run as root by .ci/run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
log() { echo "[setup-server] $*"; }
apt_install log neovim emacs-nox elpa-eglot
nvim --version | head -n 1
emacs --version | head -n 1
