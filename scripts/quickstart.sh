#!/usr/bin/env bash
# The README's main job, from a clean clone: set-up (idempotent), then picture -> editable CAD with the
# embedded cadcoder-mini model on the bundled example picture. Writes out/NAME.py (the program),
# out/NAME.step, out/NAME.FCStd (a FreeCAD document with an editable CadQuery feature) and
# out/NAME.png (a picture of the result). Extra arguments: another picture, then image2cad options.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$REPO/scripts/setup.sh"
cd "$REPO"
image="${1:-resources/examples/flanged_bracket.png}"
shift || true
name="$(basename "${image%.*}")"
mkdir -p out
.venv/bin/cadcoder image2cad "$image" --code "out/$name.py" -o "out/$name.step" \
  --fcstd "out/$name.FCStd" --preview "out/$name.png" "$@"
echo "wrote out/$name.py, out/$name.step, out/$name.FCStd and out/$name.png"
