#!/usr/bin/env bash
# Gradescope runs this once, when the autograder image is built (as root, in /autograder/source).
# It installs this course's package (autograder + solutions, from package/ in the zip) into a
# virtualenv, and Debian's bubblewrap for the sandbox. Where the container does not allow
# bubblewrap, submissions run as the user nobody with the reference and the results closed to
# it (the grader runs as root here, and nobody can reach /autograder/venv); the one warning
# line of the run says which mode was used (README, "What each isolation mode protects").
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
