#!/usr/bin/env bash
# Prepares a run on a lent GPU machine whose image has CUDA but none of Debian's -dev packages and
# no network: builds here with the CUDA backend for the given architecture, then copies the
# binaries and every shared library they need (except glibc's own) into gpu-bundle/ (ignored by
# git; carry it with the device tool, `carry: ["gpu-bundle"]`), where
#   bash scripts/gpu_check.sh --prebuilt gpu-bundle
# runs the GPU checks (cuRAND, needed by the tests only, comes from the device's CUDA toolkit:
# put its lib64 on LD_LIBRARY_PATH there if the loader does not find it). The bundle is ~35 MiB. Both machines must be x86-64; the device's
# glibc must be at least this machine's (Debian 12: 2.36).
#   bash scripts/pack_for_gpu.sh [ARCH]     # default 90 (H100/H200)
set -euo pipefail
cd "$(dirname "$0")/.."
ARCH=${1:-90}
BUILD_DIR=build-gpu-bundle bash scripts/build.sh -DHEDGEMAP_CUDA=ON -DHEDGEMAP_PTXAS_VERBOSE=ON -DCMAKE_CUDA_ARCHITECTURES="$ARCH"
rm -rf gpu-bundle
mkdir -p gpu-bundle/lib
# The kernels' compiler figures for gpu_check.sh to print beside what it measures (recompiles
# the one CUDA file so that ptxas -v speaks again).
touch host/cuda/backend.cu
cmake --build build-gpu-bundle --target hedgemap_cuda 2>&1 | python3 scripts/gpu_resource_table.py >gpu-bundle/gpu_resources.md
for exe in hedgemap hedgemap_tests hedgemap_bench; do
  [ -x "build-gpu-bundle/$exe" ] || continue
  cp "build-gpu-bundle/$exe" gpu-bundle/
  strip "gpu-bundle/$exe"
  ldd "build-gpu-bundle/$exe" | awk '$3 ~ /^\// {print $3}' | while read -r lib; do
    case "$lib" in /usr/local/cuda*) continue ;; esac  # the device's CUDA toolkit has these
    case "$(basename "$lib")" in
      libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*) ;;  # the device's glibc
      libcurand.so.*|libcudart.so.*) ;;                                        # the device's CUDA
      *) cp -Lu "$lib" gpu-bundle/lib/ ;;
    esac
  done
done
grep -q '^/gpu-bundle/' .gitignore || echo '/gpu-bundle/' >>.gitignore
du -sh gpu-bundle
echo "carry gpu-bundle and run: bash scripts/gpu_check.sh --prebuilt gpu-bundle"
