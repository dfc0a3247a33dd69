#!/usr/bin/env bash
# Quick start, one command: set the machine up, then run the main job on the shipped
# example (examples/demo, through e2e-matrix.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npx esb-e2e run "$@"
