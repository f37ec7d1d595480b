#!/bin/sh
# Runs a test binary against a throwaway gnome-keyring, headless:
#   run_in_private_session.sh <test binary> [arguments...]   (exits with the binary's status)
# It never touches the user's own keyrings or session bus: dbus-run-session gives a private bus,
# and HOME / XDG_* point into a temporary directory (removed afterwards) where the keyring files go.
# `gnome-keyring-daemon --unlock` reads a password from stdin and creates and unlocks a "login"
# keyring with it; that keyring is the default collection, so nothing ever prompts (no display).
set -eu

if [ "${1:-}" != "--in-session" ]; then
  [ $# -ge 1 ] || { echo "usage: $0 <test binary> [arguments...]" >&2; exit 2; }
  exec dbus-run-session -- sh "$0" --in-session "$@"
fi
shift

tmp=$(mktemp -d "${TMPDIR:-/tmp}/synckit-keyring.XXXXXX")
daemon=""
cleanup() {
  if [ -n "$daemon" ]; then
    kill "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export HOME="$tmp/home"
export XDG_DATA_HOME="$HOME/.local/share" XDG_CONFIG_HOME="$HOME/.config" XDG_CACHE_HOME="$HOME/.cache"
export XDG_RUNTIME_DIR="$tmp/run"
unset DISPLAY WAYLAND_DISPLAY GNOME_KEYRING_CONTROL
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$tmp" "$XDG_RUNTIME_DIR"

# The daemon must own org.freedesktop.secrets before the tests call it; otherwise D-Bus would
# activate a second, locked daemon from its .service file.
printf '%s' synckit-test | gnome-keyring-daemon --foreground --unlock --components=secrets \
  >"$tmp/daemon.log" 2>&1 &
daemon=$!
tries=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
      grep -q 'boolean true'; do
  tries=$((tries + 1))
  if [ "$tries" -gt 100 ] || ! kill -0 "$daemon" 2>/dev/null; then
    echo "gnome-keyring-daemon did not start:" >&2
    cat "$tmp/daemon.log" >&2
    exit 1
  fi
  sleep 0.1
done

set +e
"$@"
status=$?
set -e
exit "$status"
