#!/usr/bin/env bash
# Idempotent set-up: Debian packages when missing, then .venv/ at the repo root with the project
# installed in editable mode. Sourced by scripts/test.sh and scripts/quickstart.sh; safe to re-run.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: need root to run: $*" >&2; return 1; fi
}

missing=()
command -v freecadcmd >/dev/null || missing+=(freecad)
command -v xvfb-run >/dev/null || missing+=(xvfb xauth)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
# Exact versions from requirements.lock (refreshed by scripts/lock.sh), so a clone installs next month
# what was tested today; the project itself goes in editable mode without touching them.
stamp="$VENV/.cadcoder-installed"
want="$(cat "$REPO/pyproject.toml" "$REPO/requirements.lock" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Python packages into .venv (first run takes a few minutes)"
  # pip's warnings about this machine's local mirrors are noise; real errors still fail the set-up.
  quiet() { "$@" 2>&1 | { grep -v "is ignored: it is neither" || true; }; }
  quiet "$VENV/bin/python" -m pip install -q pip==26.3
  quiet "$VENV/bin/python" -m pip install -q -r "$REPO/requirements.lock"
  quiet "$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e "$REPO"
  echo "$want" > "$stamp"
fi
