#!/usr/bin/env bash
# Everything a fresh machine needs before mergebench builds and tests: pnpm, the workspace's
# packages, the offline image data sets (Debian packages), and the build. Safe to run again; it
# only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=12.21.0
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  npm install --global "pnpm@$PNPM_VERSION" --no-fund --no-audit >/dev/null
fi
bash packages/taskpool-image-classification/scripts/install-datasets.sh
pnpm install --frozen-lockfile
pnpm build
