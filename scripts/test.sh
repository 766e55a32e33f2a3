#!/usr/bin/env bash
# The whole suite from a clean clone: set-up (idempotent), lint, then every test layer
# (plain pytest, FreeCAD under freecadcmd, GUI under xvfb-run). Extra arguments go to pytest.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$REPO/scripts/setup.sh"
cd "$REPO"
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null || { .venv/bin/ruff format --diff . | head -50; exit 1; }
echo "== pytest"
exec .venv/bin/python -m pytest "$@"
