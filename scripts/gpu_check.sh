#!/usr/bin/env bash
# The one command for a machine with an NVIDIA GPU: builds with the CUDA backend for this GPU (or
# uses a bundle built elsewhere), runs the GPU tests and the whole GoogleTest suite, compares the
# GPU backend with the CPU backend on the same scenario (and on runs of several pipelined GPU
# chunks, with and without the device-side reductions), runs compute-sanitizer on a small run,
# on a machine with several GPUs checks one GPU per rank (--device, mpirun), runs the
# benchmark, and prints a short table, after the kernels' compiler figures (registers,
# spills, occupancy: scripts/gpu_resource_table.py). Logs and results go to $OUT (or a temp folder).
#   bash scripts/gpu_check.sh                       # builds here (needs scripts/install-deps.sh)
#   bash scripts/gpu_check.sh --prebuilt gpu-bundle # binaries from scripts/pack_for_gpu.sh, for
#                                                   # a machine without Debian's -dev packages
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$(mktemp -d /tmp/hedgemap-gpu-check.XXXXXX)}
mkdir -p "$OUT"
LOG="$OUT/gpu_check.log"
: >"$LOG"
PREBUILT=""
[ "${1:-}" = "--prebuilt" ] && PREBUILT=${2:?--prebuilt needs a folder}
declare -A STATUS
step() { echo "== $*" | tee -a "$LOG"; }

nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>&1 | tee -a "$LOG"
arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d .)
arch=${arch:-90}

if [ -n "$PREBUILT" ]; then
  BIN=$PREBUILT
  export LD_LIBRARY_PATH="$PWD/$PREBUILT/lib:${LD_LIBRARY_PATH:-}:/usr/local/cuda/lib64"
  export HEDGEMAP_SOURCE_DIR=$PWD
  STATUS[build]="prebuilt ($PREBUILT)"
else
  BIN=build-gpu
  step "install + build (sm_$arch)"
  bash scripts/install-deps.sh >>"$LOG" 2>&1
  if BUILD_DIR=build-gpu bash scripts/build.sh -DHEDGEMAP_CUDA=ON -DHEDGEMAP_PTXAS_VERBOSE=ON -DCMAKE_CUDA_ARCHITECTURES="$arch" >>"$LOG" 2>&1; then
    STATUS[build]=ok; else STATUS[build]=FAIL; tail -40 "$LOG"; exit 1; fi
fi
# Compiler figures of the kernels this run measures (registers, stack, spills, occupancy):
# from this build's ptxas -v output, or the table scripts/pack_for_gpu.sh put in the bundle.
step "kernel resources (ptxas)"
if [ -n "$PREBUILT" ]; then
  cp "$PREBUILT/gpu_resources.md" "$OUT/gpu_resources.md" 2>/dev/null || echo "(no gpu_resources.md in $PREBUILT)"
else
  python3 scripts/gpu_resource_table.py "$LOG" >"$OUT/gpu_resources.md" 2>&1 || echo "(no ptxas output: host/cuda/backend.cu was not recompiled, or HEDGEMAP_PTXAS_VERBOSE is OFF)"
fi
cat "$OUT/gpu_resources.md" 2>/dev/null | tee -a "$LOG"

"$BIN/hedgemap" info | tee -a "$LOG"
"$BIN/hedgemap" info | grep -q "^cuda device" || { echo "no usable CUDA device: nothing to check"; exit 1; }

step "GPU tests (CPU vs CUDA on the same paths)"
if "$BIN/hedgemap_tests" --gtest_filter='*Cuda*:*Gpu*:*Backend*' >"$OUT/gpu_tests.log" 2>&1; then
  if grep -q "SKIPPED \]" "$OUT/gpu_tests.log"; then STATUS[gpu_tests]="ran, some skipped"; else STATUS[gpu_tests]=ok; fi
else STATUS[gpu_tests]=FAIL; fi
tail -4 "$OUT/gpu_tests.log"

step "whole GoogleTest suite"
"$BIN/hedgemap_tests" >"$OUT/all_tests.log" 2>&1 && STATUS[all_tests]=ok || STATUS[all_tests]=FAIL
grep -E "PASSED|FAILED" "$OUT/all_tests.log" | head -5

# compare KEY CPU.h5 CUDA.h5: scripts/compare_backends.py on two files of $OUT; STATUS[KEY] = ok
# or FAIL; the report's last lines shown.
compare() {
  if python3 scripts/compare_backends.py "$OUT/$2" "$OUT/$3" >"$OUT/compare_$1.txt" 2>&1; then
    STATUS[$1]=ok; else STATUS[$1]=FAIL; fi
  tail -3 "$OUT/compare_$1.txt"
}
# cpu_run OUTPUT.h5 ARGS... / cuda_run OUTPUT.h5 ARGS...: `hedgemap run ARGS` into $OUT; the CUDA
# one with HEDGEMAP_CUDA_TIMING=1 and its timing line shown (prefix HEDGEMAP_CUDA_DEVICE_MOMENTS=1
# to the call for the device reductions).
cpu_run() {
  local output=$1; shift
  "$BIN/hedgemap" run "$@" --backend cpu -o "$OUT/$output" --overwrite 2>>"$LOG"
}
cuda_run() {
  local output=$1; shift
  HEDGEMAP_CUDA_TIMING=1 "$BIN/hedgemap" run "$@" --backend cuda -o "$OUT/$output" --overwrite 2>&1 |
    tee -a "$LOG" | grep "cuda timing"
}

step "default scenario: cpu vs cuda"
cpu_run default_cpu.h5 --progress none --paths 20000
cuda_run default_cuda.h5 --progress none --paths 20000
compare cpu_vs_cuda default_cpu.h5 default_cuda.h5

# More paths than one GPU chunk (262,144), so that the two-chunks-in-flight pipeline runs; one
# cell of workload (b) keeps the CPU side short.
step "workload (b), 600,000 paths (3 GPU chunks, pipelined): cpu vs cuda"
B_ARGS=(benchmarks/crypto_grid.toml --paths 600000 --progress none)
cpu_run b_cpu.h5 "${B_ARGS[@]}"
cuda_run b_cuda.h5 "${B_ARGS[@]}"
compare cpu_vs_cuda_chunks b_cpu.h5 b_cuda.h5
step "the same with the moments and P&L statistics on the device (HEDGEMAP_CUDA_DEVICE_MOMENTS=1): cpu vs cuda"
HEDGEMAP_CUDA_DEVICE_MOMENTS=1 cuda_run b_cuda_dm.h5 "${B_ARGS[@]}"
compare cpu_vs_cuda_device_reductions b_cpu.h5 b_cuda_dm.h5
step "workload (c), CPPI, 600,000 paths, moments on the device (terminal values kept): cpu vs cuda"
C_ARGS=(benchmarks/cppi_grid.toml --paths 600000 --progress none)
cpu_run c_cpu.h5 "${C_ARGS[@]}"
HEDGEMAP_CUDA_DEVICE_MOMENTS=1 cuda_run c_cuda_dm.h5 "${C_ARGS[@]}"
compare cppi_cpu_vs_cuda_device_reductions c_cpu.h5 c_cuda_dm.h5

step "compute-sanitizer (memcheck, small run)"
SAN=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
if "$SAN" --tool memcheck --error-exitcode 9 "$BIN/hedgemap" run --backend cuda --paths 512 \
     --set 'grid.expiry_days=[1]' -o "$OUT/sanitizer.h5" --overwrite --progress none >"$OUT/sanitizer.log" 2>&1; then
  STATUS[memcheck]=ok; else STATUS[memcheck]=FAIL; fi
tail -3 "$OUT/sanitizer.log"
# The device reductions and P&L statistics, with enough paths (70,000) for the bracketed VaR
# selection, its counting kernel and the Thrust sort; one cell.
if HEDGEMAP_CUDA_DEVICE_MOMENTS=1 "$SAN" --tool memcheck --error-exitcode 9 "$BIN/hedgemap" run --backend cuda --paths 70000 \
     --set 'grid.expiry_days=[1]' --set 'grid.volatility=[0.8]' -o "$OUT/sanitizer_dm.h5" --overwrite --progress none >"$OUT/sanitizer_dm.log" 2>&1; then
  STATUS[memcheck_device_reductions]=ok; else STATUS[memcheck_device_reductions]=FAIL; fi
tail -3 "$OUT/sanitizer_dm.log"

# Several GPUs: each one by --device gives the bytes of device 0; with mpirun (Open MPI), one rank
# per GPU gives the bytes of the one-GPU run, and one rank more than GPUs is refused (exit 2).
gpus=$(nvidia-smi --query-gpu=uuid --format=csv,noheader 2>/dev/null | wc -l)
if [ "$gpus" -ge 2 ]; then
  step "multi-GPU: --device 0..$((gpus - 1)), mpirun -np $gpus"
  M_ARGS=(--paths 20000 --progress none --backend cuda)
  "$BIN/hedgemap" run "${M_ARGS[@]}" --device 0 -o "$OUT/gpu0.h5" --overwrite 2>>"$LOG"
  STATUS[multi_gpu_devices]=ok
  for d in $(seq 1 $((gpus - 1))); do
    "$BIN/hedgemap" run "${M_ARGS[@]}" --device "$d" -o "$OUT/gpu$d.h5" --overwrite 2>>"$LOG"
    python3 scripts/same_results.py "$OUT/gpu0.h5" "$OUT/gpu$d.h5" >>"$LOG" 2>&1 || STATUS[multi_gpu_devices]=FAIL
  done
  if command -v mpirun >/dev/null && "$BIN/hedgemap" info | grep -q "^mpi: Open MPI"; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    if mpirun -np "$gpus" "$BIN/hedgemap" run "${M_ARGS[@]}" -o "$OUT/mpi_gpus.h5" --overwrite --progress jsonl 2>>"$LOG" >/dev/null &&
       python3 scripts/same_results.py "$OUT/gpu0.h5" "$OUT/mpi_gpus.h5" >>"$LOG" 2>&1; then
      STATUS[multi_gpu_mpi]=ok; else STATUS[multi_gpu_mpi]=FAIL; fi
    mpirun --oversubscribe -np $((gpus + 1)) "$BIN/hedgemap" run "${M_ARGS[@]}" -o "$OUT/shared.h5" --overwrite >>"$LOG" 2>&1
    [ $? -eq 2 ] && [ ! -e "$OUT/shared.h5" ] || STATUS[multi_gpu_mpi]=FAIL
  else
    STATUS[multi_gpu_mpi]="not run (no mpirun, or hedgemap built without MPI)"
  fi
  grep -E "rank [0-9]+: backend|would share" "$LOG" | tail -$((gpus + 2))
else
  STATUS[multi_gpu_devices]="not run (one GPU)"
fi

step "benchmark"
bash scripts/bench.sh --build-dir "$BIN" --gpu-only >"$OUT/bench.txt" 2>&1 && STATUS[bench]=ok || STATUS[bench]=FAIL
cat "$OUT/bench.txt"

echo
echo "| check | result |"
echo "|---|---|"
for k in build gpu_tests all_tests cpu_vs_cuda cpu_vs_cuda_chunks cpu_vs_cuda_device_reductions cppi_cpu_vs_cuda_device_reductions memcheck memcheck_device_reductions multi_gpu_devices multi_gpu_mpi bench; do echo "| $k | ${STATUS[$k]:-not run} |"; done
echo "logs: $OUT"
