#!/usr/bin/env bash
# Gradescope runs this once, when the autograder image is built (as root, in /autograder/source).
# It installs this course's package (autograder + solutions, from package/ in the zip) into a
# virtualenv, and Debian's bubblewrap for the sandbox (grading falls back to plain process
# isolation, with a warning line, if the container does not allow it).
# Needs Python >= 3.11: choose an Ubuntu 24.04 base image, or this script installs python3.11.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q python3 python3-venv python3-pip bubblewrap
PY=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    apt-get install -y -q python3.11 python3.11-venv
    PY=python3.11
fi
"$PY" -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install -q --upgrade pip
"$ROOT/venv/bin/pip" install -q "$ROOT/source/package"
chmod +x "$ROOT/source/run_autograder"
