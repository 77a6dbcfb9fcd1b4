#!/usr/bin/env bash
# Installs what Vigil needs on a fresh Debian 12 box with Node 20: ffmpeg (ingest), the GStreamer
# RTSP server used by the demo camera and the tests, mosquitto_sub to watch the topics, build
# tools, and the npm packages. `--test` adds Chromium (the console tests drive it) and the mosquitto broker the integration tests run (not
# needed by the daemon: on a systemd box its service would also take port 1883, which the demo's
# embedded broker uses). Safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

if ! command -v node >/dev/null || [[ $(node -p 'process.versions.node.split(".")[0]') -lt 20 ]]; then
  echo "Vigil needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# systemd: /usr/bin/systemd-notify, through which the daemon sends READY=1/WATCHDOG=1 (and the
# tests drive), and systemd-analyze to check the unit.
PACKAGES=(ffmpeg mosquitto-clients python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly g++ make python3
  systemd)
# --test: the broker the integration tests run, and Chromium, which the console tests drive.
if [[ "${1:-}" == "--test" ]]; then PACKAGES+=(mosquitto chromium); fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# onnxruntime-node's install script downloads CUDA libraries from outside the npm registry and
# fails offline; the CPU provider is bundled in the package itself.
export ONNXRUNTIME_NODE_INSTALL=skip
export npm_config_onnxruntime_node_install=skip
if [[ -f package-lock.json ]]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
npm run build
