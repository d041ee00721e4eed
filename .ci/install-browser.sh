#!/usr/bin/env bash
# Install what the dashboard's browser test needs from Debian, only when missing: Chromium (/usr/bin/chromium,
# driven by Playwright, which must not download a browser of its own) and a CJK font (fonts-noto-cjk) for
# Chinese labels in charts and reports. Non-interactive; meant for CI, run as root (or with sudo available).
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "install ok installed" || need+=(fonts-noto-cjk)

if [ ${#need[@]} -eq 0 ]; then
    echo "install-browser: chromium and fonts-noto-cjk already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-browser: need root (or sudo) to install ${need[*]}" >&2; exit 1; }
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-browser: installing ${need[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${need[@]}" >/dev/null
/usr/bin/chromium --version
