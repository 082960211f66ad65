#!/usr/bin/env bash
# Installs the system packages the test suite needs: Debian's Chromium (end-to-end tests),
# GNOME Keyring + D-Bus (a real OS keychain), poppler-utils (PDF text and page rendering).
# As root it apt-installs what is missing; otherwise it says what to install.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v gnome-keyring-daemon >/dev/null 2>&1 || need+=(gnome-keyring)
command -v dbus-run-session >/dev/null 2>&1 || need+=(dbus)
command -v dbus-launch >/dev/null 2>&1 || need+=(dbus-x11)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)

if [ ${#need[@]} -eq 0 ]; then
  echo "setup-test: system packages present (chromium, gnome-keyring, dbus, poppler-utils)."
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup-test: installing ${need[*]} …"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  echo "setup-test: installed ${need[*]}."
else
  echo "setup-test: missing system packages: ${need[*]}" >&2
  echo "  Debian/Ubuntu: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
