#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs exactly the Debian bookworm packages Lowbit Studio needs, skipping what is present.
# Idempotent: a second run installs nothing. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config
  # GUI: Qt 6.4 Widgets/Charts/Concurrent/Test + Linguist (Charts' CMake config needs libqt6opengl6-dev);
  # Svg for exporting charts as SVG (QSvgGenerator)
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-tools-dev qt6-l10n-tools qt6-svg-dev
  # CPU math: Eigen, oneDNN (its CMake config needs the OpenCL headers and loader)
  libeigen3-dev libdnnl-dev ocl-icd-opencl-dev
  # Vulkan: loader + headers, shader compiler, lavapipe (CPU Vulkan device), tools, validation layers
  libvulkan-dev glslc mesa-vulkan-drivers vulkan-tools spirv-tools vulkan-validationlayers
  # running the GUI headless (tests, screenshots)
  xvfb xauth fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: run as root (or install sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
