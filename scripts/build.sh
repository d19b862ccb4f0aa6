#!/usr/bin/env bash
# Configures and builds hedgemap in ./build (or $BUILD_DIR). The CUDA backend is built when nvcc is
# found (PATH or /usr/local/cuda); pass extra CMake options as arguments, e.g.
#   bash scripts/build.sh -DHEDGEMAP_CUDA=OFF          # CPU-only
#   bash scripts/build.sh -DHEDGEMAP_NATIVE=ON         # tune for this machine's CPU
#   bash scripts/build.sh -DCMAKE_CUDA_ARCHITECTURES=90
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$BUILD_DIR" -j "$JOBS"
