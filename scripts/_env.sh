# Shared by scripts/demo and scripts/test. Creates .venv and installs the project into it.
ensure_venv() {
    local extra="${1:-}"
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv
    fi
    local spec="."
    [ -n "$extra" ] && spec=".[$extra]"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec"
}

# The browser tests use Debian's Chromium (Playwright's own browser download does not
# work on these machines). Install it when we are root and it is missing.
ensure_chromium() {
    if [ -x /usr/bin/chromium ]; then
        return 0
    fi
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        echo "Installing Debian's chromium for the browser tests..."
        apt-get update -qq >/dev/null && \
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver bubblewrap >/dev/null
    else
        echo "warning: /usr/bin/chromium is missing and cannot be installed here; browser tests will fail" >&2
    fi
}
