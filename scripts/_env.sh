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
# work on these machines), and the grader's sandbox uses Debian's bubblewrap. Install
# whichever is missing when we are root.
ensure_chromium() {
    if [ -x /usr/bin/chromium ] && [ -x /usr/bin/bwrap ]; then
        return 0
    fi
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        echo "Installing Debian's chromium and bubblewrap for the browser and sandbox tests..."
        apt-get update -qq >/dev/null && \
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver bubblewrap >/dev/null
    else
        echo "warning: /usr/bin/chromium or /usr/bin/bwrap is missing and cannot be installed here; browser and sandbox tests will fail" >&2
    fi
}
