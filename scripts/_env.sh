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

# A second environment with the oldest numpy that pyproject.toml claims (numpy>=X gives X),
# so that the claim is tested, not assumed: the main one gets the newest.
numpy_floor() {
    python3 -c 'import re, tomllib
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
print(next(re.split(">=", d)[1].split(",")[0] for d in deps if re.match(r"numpy\s*>=", d)))'
}

ensure_oldest_venv() {
    local floor
    floor="$(numpy_floor)"
    if [ ! -x .venv-oldest/bin/python ]; then
        python3 -m venv .venv-oldest
    fi
    .venv-oldest/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]" "numpy==$floor"
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
