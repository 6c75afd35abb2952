#!/usr/bin/env bash
# One command to try SQM: installs it, builds a demo centre in var/ and serves it at
# http://127.0.0.1:8000 (web and task worker together). Extra arguments go to `sqm demo`,
# e.g. scripts/demo.sh --seed 7 --port 8080. Run it again: the existing demo is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh runtime
exec .venv/bin/sqm demo "$@"
