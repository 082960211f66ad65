#!/usr/bin/env bash
# Runs a command inside the current D-Bus session with GNOME Keyring's Secret Service unlocked,
# so keychain code talks to a real OS keychain. Use: dbus-run-session -- scripts/with-keyring.sh CMD…
set -euo pipefail
export COGNIFORCE_TEST_KEYRING=1
# A throwaway keyring folder so tests never touch a developer's own keyring.
export XDG_DATA_HOME="${XDG_DATA_HOME:-$(mktemp -d)}"
eval "$(echo -n 'test-keyring-pw' | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
exec "$@"
