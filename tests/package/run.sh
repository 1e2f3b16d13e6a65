#!/usr/bin/env bash
# Runs the tests of the installed desktop package inside the D-Bus session made by
# `dbus-run-session`, under Xvfb. The app gets its database key from a key file (no keyring needed).
set -euo pipefail
# Software rendering under Xvfb: without this, WebKit screenshots can show a stale frame.
export WEBKIT_DISABLE_COMPOSITING_MODE=1
# Bounded: a wedged window must not hold CI; node's own test timeout reports which test it was.
timeout 600 xvfb-run -a -s "-screen 0 1400x900x24" \
  node --test --test-reporter=tap --test-concurrency=1 tests/package/
