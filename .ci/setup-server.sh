#!/usr/bin/env bash
# What the language server's tests need beyond Python packages: Neovim 0.7 (tests/test_server_neovim.py)
# and Emacs with eglot (tests/test_server_emacs.py), both from Debian 12. Idempotent; run as root by .ci/run.
set -euo pipefail
packages=(neovim emacs-nox elpa-eglot)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
nvim --version | head -n 1
emacs --version | head -n 1
