#!/usr/bin/env bash
# Refresh requirements.lock, the exact versions scripts/setup.sh installs, from pyproject.toml.
# Run after changing a dependency in pyproject.toml, then run scripts/test.sh and commit both files.
# pip-tools resolves with pip's own resolver and configuration, so it picks the same builds a plain
# `pip install` would (here: the CPU build of torch 2.13.0). Its own versions are pinned below so a
# refresh next month resolves with the same tool; the tool lives in a throw-away virtualenv.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$(mktemp -d)"
trap 'rm -rf "$TOOLS"' EXIT
python3 -m venv "$TOOLS/venv"
"$TOOLS/venv/bin/python" -m pip install -q pip==26.3 pip-tools==7.6.2 2>&1 | { grep -v "is ignored: it is neither" || true; }
cd "$REPO"
"$TOOLS/venv/bin/pip-compile" --quiet --upgrade --extra train --extra dev --all-build-deps --allow-unsafe \
  --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml
echo "wrote requirements.lock"
