#!/bin/sh
# Debian packages the rendering tests need (LibreOffice headless -> PDF -> PNG, and fonts with Vietnamese
# coverage: Liberation Serif is metric-compatible with Times New Roman, the font of our documents).
# Idempotent and quiet: installs only what is missing; does nothing when everything is there.
# Run by `make test`, `make report-pages` and `make docs-pages`; CI runs it as root on a fresh machine.
# Without root (and without password-less sudo) it says what to install and exits 0: the rendering tests
# then fail with that same message.
set -eu

PACKAGES="${NQ57_RENDER_PACKAGES:-libreoffice-calc libreoffice-writer poppler-utils fonts-liberation2 fonts-dejavu-core}"

missing=""
for package in $PACKAGES; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null || true)
    case "$status" in
        ii*) ;;
        *) missing="$missing $package" ;;
    esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
else
    echo "render-deps: missing Debian packages:$missing (run this script as root to install them)" >&2
    exit 0
fi

echo "render-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
# shellcheck disable=SC2086  # the package list is meant to split
if ! { $as_root apt-get update -qq && $as_root apt-get install -y -qq --no-install-recommends $missing; } >"$log" 2>&1
then
    cat "$log" >&2
    rm -f "$log"
    echo "render-deps: could not install$missing" >&2
    exit 1
fi
rm -f "$log"
