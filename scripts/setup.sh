#!/usr/bin/env bash
# Everything a fresh machine needs before mergebench builds and tests: pnpm, the workspace's
# packages, the offline image data sets and chromium (Debian packages), and the build. Safe to run again; it
# only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=12.21.0
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  npm install --global "pnpm@$PNPM_VERSION" --no-fund --no-audit >/dev/null
fi
bash packages/taskpool-image-classification/scripts/install-datasets.sh
# The native tensor backend (@mergebench/backend-native) compiles against OpenBLAS when it is
# installed, and the native merge loops (@mergebench/merge-loops) need the same g++, make and
# python3 (node-gyp); without these both install anyway and fall back to JavaScript.
if ! dpkg -s libopenblas-dev >/dev/null 2>&1 || ! command -v g++ >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1 ||
  ! command -v python3 >/dev/null 2>&1; then
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends libopenblas-dev g++ make python3 >/dev/null; } ||
    echo "setup: could not install libopenblas-dev g++ make python3; the native backend and merge loops will be unavailable" >&2
fi
# oneDNN (the library PyTorch multiplies with): the native backend opens it at run time for large
# products, where it measured faster than OpenBLAS; without it every product runs on OpenBLAS.
if ! dpkg -s libdnnl2 >/dev/null 2>&1; then
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends libdnnl2 >/dev/null; } ||
    echo "setup: could not install libdnnl2; the native backend multiplies with OpenBLAS alone" >&2
fi
# Debian's chromium: the benchmark report's test opens the page in it, headless, through
# playwright-core (playwright's own browser download cannot work offline).
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium
fi
# A Vulkan driver for the webgpu backend's tests (@mergebench/backend-webgpu, Dawn in Node): Mesa's
# software one, llvmpipe. Bookworm's own Mesa 22.3 is refused by Dawn; bookworm-backports has 25.x.
if [ "$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")" = bookworm ] &&
  ! dpkg-query -W -f '${Version}' mesa-vulkan-drivers 2>/dev/null | grep -q bpo12; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo 'deb http://deb.debian.org/debian bookworm-backports main' | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
  { $SUDO apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null; } ||
    echo "setup: could not install Mesa's Vulkan driver from bookworm-backports; the webgpu backend's tests will fail" >&2
fi
# Debian's redis-server: @mergebench/queue's tests start their own on 127.0.0.1 on a free port
# (no system service is used).
if ! command -v redis-server >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  { $SUDO apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null; } ||
    echo "setup: could not install redis-server; @mergebench/queue's tests will fail" >&2
fi
pnpm install --frozen-lockfile
pnpm build
