#!/bin/sh
# Install Debian's Chromium for the browser tests (tests/test_browser.py), if missing.
# Quiet when there is nothing to do; never fails where it cannot install.
set -eu

[ -x /usr/bin/chromium ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: /usr/bin/chromium is missing and there is no apt-get;" \
        "install Chromium yourself to run the browser tests" >&2
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "install-browser: /usr/bin/chromium is missing; run as root:" \
        "apt-get install chromium" >&2
    exit 0
fi

echo "install-browser: installing chromium with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
