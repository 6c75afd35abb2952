#!/usr/bin/env bash
# One command to test SQM: installs it with the test tools (and Debian's chromium for the
# browser tests when run as root), checks lint and types, and runs the whole test suite.
# Set DATABASE_URL=postgres://… to run the suite on PostgreSQL. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh dev
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "chromium could not be installed; browser tests will be skipped" >&2
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check --quiet .
.venv/bin/mypy
export SQM_DATA_DIR="${SQM_TEST_DATA_DIR:-$(mktemp -d -t sqm-test-XXXXXX)}"
exec .venv/bin/pytest "$@"
