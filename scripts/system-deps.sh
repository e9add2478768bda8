#!/usr/bin/env bash
# Install the Debian packages the tests need, when missing (idempotent; needs root and apt-get).
#   chromium: browser tests (Playwright drives Debian's build; no browser downloads).
#   poppler-utils: pdftoppm turns rendered PDF reports into PNG pages in tests.
#   pango, harfbuzz-subset, DejaVu fonts: WeasyPrint renders the PDF reports with them.
set -euo pipefail
APT_PACKAGES=(chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
              fonts-dejavu-core)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
((${#missing[@]})) || exit 0
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "system-deps: missing ${missing[*]}; install them with apt-get as root" \
        "(tests that need them are skipped outside CI)" >&2
    exit 0
fi
echo "system-deps: installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
