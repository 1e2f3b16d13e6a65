#!/usr/bin/env bash
# Runs the desktop end-to-end tests inside the D-Bus session made by `dbus-run-session`:
# an unlocked GNOME keyring (the app keeps its database key there, as on a real desktop) and Xvfb.
set -euo pipefail
keyring_password="appligarde-e2e-$$"
# A keyring of its own, new for every run, so that the tests never touch the user's keyring and a
# keyring left by an earlier run (with another password) cannot stay locked.
XDG_DATA_HOME="$(mktemp -d)"
export XDG_DATA_HOME
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
# The daemon forks into the background of this D-Bus session and ends with it.
eval "$(printf '%s' "$keyring_password" | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
# Software rendering under Xvfb: without this, WebKit screenshots can show a stale frame.
export WEBKIT_DISABLE_COMPOSITING_MODE=1
# Bounded: a wedged window must not hold CI; node's own test timeout reports which test it was.
timeout 900 xvfb-run -a -s "-screen 0 1400x900x24" \
  node --test --test-reporter=tap --test-concurrency=1 tests/desktop/
