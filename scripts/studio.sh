#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds, and starts Lowbit Studio on the default model
# (stories260K from $LOWBIT_SHARED_DIR, default ../shared) or on the model given as argument.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build="${LOWBIT_BUILD_DIR:-$root/build}"
export LOWBIT_SHARED_DIR="${LOWBIT_SHARED_DIR:-$root/../shared}"
model="${1:-}"
if [ -z "$model" ] && [ -d "$LOWBIT_SHARED_DIR/models/stories260K/hf" ]; then
  model="$LOWBIT_SHARED_DIR/models/stories260K/hf"
fi
args=()
[ -n "$model" ] && args+=("$model")
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "studio: no display found (DISPLAY unset); starting under Xvfb, so the window is not visible." >&2
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$build/bin/lowbit-studio" "${args[@]}"
fi
exec "$build/bin/lowbit-studio" "${args[@]}"
