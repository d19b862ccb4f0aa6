#!/usr/bin/env bash
# Fixed benchmark workloads, timed in one run with the reference beside them:
#   (a) QuantLib's DiscreteHedging set-up (scenarios/quantlib_discrete_hedging.toml, 21 and 84
#       hedges) scaled to $QL_PATHS paths, beside QuantLib's own DiscreteHedging example
#       (Debian quantlib-examples: 50,000 paths x (21 + 84) steps), compared in CPU seconds per
#       path-step;
#   (b) a crypto grid: Merton jumps + outages + gas + AMM, 3 hedging policies x 8 parameters,
#       720 hourly steps (benchmarks/crypto_grid.toml);
#   (c) a CPPI grid, 5 x 5 parameters, 720 steps (benchmarks/cppi_grid.toml);
#   (d) workload (b) on Heston/Bates paths (volatility.model = "heston", the default kappa 4, vol
#       of vol 1.2, rho -0.4): the scalar kernels on the CPU, the Heston kernel on a GPU.
# Prints path-steps/s, policy evaluations/s (path-steps x parameter points), CPU seconds and peak
# memory per workload, CPU backend always, CUDA backend too when a GPU is usable (with the path
# kernels' own time from CUDA events, and (b) and (c) on GPU_SCALE times the paths).
# Every workload runs REPEAT times (default 3); the run with the fewest CPU seconds is reported.
#   bash scripts/bench.sh [--build-dir build] [--gpu-only] [--quick] [--repeat N]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build
GPU_ONLY=0
REPEAT=${REPEAT:-3}  # runs per workload; the one with the fewest CPU seconds is reported
QL_PATHS=${QL_PATHS:-2000000}
B_PATHS=${B_PATHS:-20000}
C_PATHS=${C_PATHS:-20000}
D_PATHS=${D_PATHS:-20000}
GPU_SCALE=${GPU_SCALE:-50}  # (b) and (c) on the CUDA backend: 50 x the paths (1,000,000)
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) BUILD=$2; shift 2 ;;
    --gpu-only) GPU_ONLY=1; shift ;;
    --quick) QL_PATHS=200000; B_PATHS=4000; C_PATHS=4000; D_PATHS=4000; REPEAT=1; shift ;;
    --repeat) REPEAT=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
HM=$BUILD/hedgemap
[ -x "$HM" ] || { echo "build first: bash scripts/build.sh" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "# hedgemap benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
"$HM" info | sed 's/^/# /'
printf "%-38s %-5s %10s %12s %8s %8s %14s %14s %9s\n" workload backend paths path_steps wall_s cpu_s path_steps/s policy_evals/s peak_MiB

# run LABEL BACKEND PATHS STEPS POINTS ARGS... -> prints a row, sets CPU_PER_STEP
run() {
  local label=$1 backend=$2 paths=$3 steps=$4 points=$5; shift 5
  local wall user sys rss
  : >"$TMP/err.txt"
  read -r wall user sys rss < <(HEDGEMAP_CUDA_TIMING=1 python3 scripts/timed_run.py --repeat "$REPEAT" -- \
    "$HM" run "$@" --backend "$backend" --paths "$paths" -o "$TMP/out.h5" --overwrite --progress none \
    --quiet 2>>"$TMP/err.txt")
  python3 - "$label" "$backend" "$paths" "$steps" "$points" "$wall" "$user" "$sys" "$rss" <<'PY'
import sys
label, backend = sys.argv[1], sys.argv[2]
paths, steps, points = (int(x) for x in sys.argv[3:6])
wall, user, sys_s, rss = (float(x) for x in sys.argv[6:10])
ps = paths * steps
print(f"{label:38s} {backend:5s} {paths:10d} {ps:12d} {wall:8.2f} {user + sys_s:8.2f} "
      f"{ps / wall:14.3e} {ps * points / wall:14.3e} {rss / 1024:9.0f}")
PY
  CPU_PER_STEP=$(python3 -c "print(($user + $sys) / ($paths * $steps))")
  # CUDA: the path kernels' own time (CUDA events, host/cuda/backend.cu), fastest of the runs.
  python3 - "$TMP/err.txt" "$paths" "$steps" "$points" <<'PY'
import re, sys
runs = [tuple(float(x) for x in m.groups()) for m in re.finditer(
    r"path kernels ([0-9.e+-]+) s in \d+ launches, copies to host ([0-9.e+-]+) s \(([0-9.e+-]+) GB\), "
    r"device statistics ([0-9.e+-]+) s",
    open(sys.argv[1]).read())]
if runs:
    kernel, copy, gb, stats = min(runs)
    ps = int(sys.argv[2]) * int(sys.argv[3])
    print(f"{'':38s} cuda path kernels {kernel:.4f} s = {ps / kernel:.3e} path-steps/s, "
          f"{ps * int(sys.argv[4]) / kernel:.3e} policy evals/s; copies to host {copy:.4f} s "
          f"({gb:.2f} GB); device statistics {stats:.4f} s")
PY
}

# P&L std of the periodic hedger in the last run's file (the cross-check with QuantLib's table).
pnl_std() {
  python3 -c "import h5py,sys; print('%.4f' % h5py.File(sys.argv[1])['hedging/periodic/pnl_std'][()].ravel()[0])" "$TMP/out.h5" 2>/dev/null ||
    /usr/bin/python3 -c "import h5py,sys; print('%.4f' % h5py.File(sys.argv[1])['hedging/periodic/pnl_std'][()].ravel()[0])" "$TMP/out.h5" 2>/dev/null ||
    echo "n/a"
}

backends="cpu"
if "$HM" info | grep -q "^cuda device"; then backends="cpu cuda"; fi
[ "$GPU_ONLY" = 1 ] && backends=$(echo "$backends" | sed 's/cpu//')
[ -n "${backends// /}" ] || { echo "no usable GPU for --gpu-only"; exit 0; }

for be in $backends; do
  # (a) QuantLib's set-up: 21 and 84 hedges, float on the hot path (double accumulators), and
  # the preset's double precision for reference. The hedging pass also summarises /model/.
  F='simulation.precision="float"'
  run "(a) quantlib 21 hedges, float" "$be" "$QL_PATHS" 21 1 scenarios/quantlib_discrete_hedging.toml --set simulation.steps=21 --set "$F"
  [ "$be" = cpu ] && a21=$CPU_PER_STEP  # the ratios below are of the CPU backend
  std21=$(pnl_std)
  run "(a) quantlib 84 hedges, float" "$be" "$QL_PATHS" 84 1 scenarios/quantlib_discrete_hedging.toml --set simulation.steps=84 --set "$F"
  [ "$be" = cpu ] && a84=$CPU_PER_STEP
  std84=$(pnl_std)
  if [ "$be" = cpu ]; then  # one thread, as QuantLib runs: CPU seconds without the second core's waits
    run "(a) quantlib 21 hedges, float, 1 thr" "$be" "$QL_PATHS" 21 1 scenarios/quantlib_discrete_hedging.toml --set simulation.steps=21 --set "$F" --threads 1
    a21t1=$CPU_PER_STEP
    run "(a) quantlib 84 hedges, float, 1 thr" "$be" "$QL_PATHS" 84 1 scenarios/quantlib_discrete_hedging.toml --set simulation.steps=84 --set "$F" --threads 1
    a84t1=$CPU_PER_STEP
  fi
  run "(a) quantlib 21 hedges, double" "$be" "$QL_PATHS" 21 1 scenarios/quantlib_discrete_hedging.toml --set simulation.steps=21
  [ "$be" = cpu ] && a21d=$CPU_PER_STEP
  scale=1
  [ "$be" = cuda ] && scale=$GPU_SCALE  # a GPU needs more paths than a 2-core CPU to fill it
  run "(b) crypto grid 3x8, 720 steps" "$be" $((B_PATHS * scale)) 720 25 benchmarks/crypto_grid.toml
  if [ "$be" = cuda ]; then  # without overlapping host and device; with the moments on the device
    HEDGEMAP_CUDA_PIPELINE=0 run "(b) same, chunks not pipelined" "$be" $((B_PATHS * scale)) 720 25 benchmarks/crypto_grid.toml
    HEDGEMAP_CUDA_DEVICE_MOMENTS=1 run "(b) same, moments+stats on device" "$be" $((B_PATHS * scale)) 720 25 benchmarks/crypto_grid.toml
  fi
  run "(c) cppi grid 5x5, 720 steps" "$be" $((C_PATHS * scale)) 720 25 benchmarks/cppi_grid.toml
  if [ "$be" = cuda ]; then
    HEDGEMAP_CUDA_DEVICE_MOMENTS=1 run "(c) same, moments on device" "$be" $((C_PATHS * scale)) 720 25 benchmarks/cppi_grid.toml
  fi
  run "(d) crypto grid 3x8 on Heston/Bates paths" "$be" $((D_PATHS * scale)) 720 25 benchmarks/crypto_grid.toml --set 'volatility.model="heston"'

done

if [ "$GPU_ONLY" = 0 ] && command -v DiscreteHedging >/dev/null; then
  read -r wall user sys rss < <(python3 scripts/timed_run.py --repeat "$REPEAT" -- DiscreteHedging)
  DiscreteHedging >"$TMP/ql.txt"
  python3 - "$wall" "$user" "$sys" "$rss" "$a21" "$a84" "$a21d" "$a21t1" "$a84t1" <<'PY'
import sys
wall, user, sys_s, rss, a21, a84, a21d, a21t1, a84t1 = (float(x) for x in sys.argv[1:10])
steps = 50000 * (21 + 84)
cpu = user + sys_s
print(f"{'QuantLib DiscreteHedging (21+84)':38s} {'cpu':5s} {50000:10d} {steps:12d} {wall:8.2f} "
      f"{cpu:8.2f} {steps / wall:14.3e} {'-':>14s} {rss / 1024:9.0f}")
ql = cpu / steps
print()
print(f"QuantLib: {1 / ql:.3e} path-steps per CPU-second")
for name, v in [("(a) 21 hedges", a21), ("(a) 84 hedges", a84), ("(a) 21 hedges, 1 thread", a21t1),
                ("(a) 84 hedges, 1 thread", a84t1), ("(a) 21 hedges, double", a21d)]:
    print(f"hedgemap {name}: {1 / v:.3e} path-steps per CPU-second = {ql / v:.1f}x QuantLib")
PY
  echo "hedgemap P&L std (float, $QL_PATHS paths): 21 hedges $std21, 84 hedges $std84"
  echo "QuantLib's own table (its P&L std is the independent cross-check of (a)):"
  grep -E "^ +50000" "$TMP/ql.txt"
fi
