#!/usr/bin/env bash
# The README's main job, from a clean clone: set-up (idempotent), then CadQuery -> sandbox -> STEP +
# preview PNG on the bundled example. Extra arguments replace the example script.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$REPO/scripts/setup.sh"
cd "$REPO"
script="${1:-resources/examples/flanged_bracket.py}"
name="$(basename "${script%.py}")"
mkdir -p out
.venv/bin/cadcoder run "$script" -o "out/$name.step" --preview "out/$name.png"
echo "wrote out/$name.step and out/$name.png"
