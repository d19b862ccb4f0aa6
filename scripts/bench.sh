#!/usr/bin/env bash
# Fixed benchmark workloads, timed in one run with the reference beside them:
#   (a) QuantLib's DiscreteHedging set-up (scenarios/quantlib_discrete_hedging.toml, 21 and 84
#       hedges) scaled to $QL_PATHS paths, beside QuantLib's own DiscreteHedging example
#       (Debian quantlib-examples: 50,000 paths x (21 + 84) steps), compared in CPU seconds per
#       path-step;
#   (b) a crypto grid: Merton jumps + outages + gas + AMM, 3 hedging policies x 8 parameters,
#       720 hourly steps (benchmarks/crypto_grid.toml);
#   (c) a CPPI grid, 5 x 5 parameters, 720 steps (benchmarks/cppi_grid.toml).
# Prints path-steps/s, policy evaluations/s (path-steps x parameter points), CPU seconds and peak
# memory per workload, CPU backend always, CUDA backend too when a GPU is usable.
#   bash scripts/bench.sh [--build-dir build] [--gpu-only] [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build
GPU_ONLY=0
QL_PATHS=${QL_PATHS:-2000000}
B_PATHS=${B_PATHS:-20000}
C_PATHS=${C_PATHS:-20000}
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) BUILD=$2; shift 2 ;;
    --gpu-only) GPU_ONLY=1; shift ;;
    --quick) QL_PATHS=200000; B_PATHS=4000; C_PATHS=4000; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
HM=$BUILD/hedgemap
[ -x "$HM" ] || { echo "build first: bash scripts/build.sh" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "# hedgemap benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
"$HM" info | sed 's/^/# /'
printf "%-36s %-5s %10s %12s %8s %8s %14s %14s %9s\n" workload backend paths path_steps wall_s cpu_s path_steps/s policy_evals/s peak_MiB

# run LABEL BACKEND PATHS PATH_STEPS POINTS ARGS... -> prints a row, sets CPU_PER_STEP
run() {
  local label=$1 backend=$2 paths=$3 steps=$4 points=$5; shift 5
  /usr/bin/time -f "%e %U %S %M" -o "$TMP/time" "$HM" run "$@" --backend "$backend" --paths "$paths" \
    -o "$TMP/out.h5" --overwrite --progress none --quiet >/dev/null
  read -r wall user sys rss <"$TMP/time"
  local cpu
  cpu=$(echo "$user + $sys" | bc -l)
  local ps=$((paths * steps))
  printf "%-36s %-5s %10d %12d %8.2f %8.2f %14.3e %14.3e %9.0f\n" "$label" "$backend" "$paths" "$ps" \
    "$wall" "$cpu" "$(echo "$ps / $wall" | bc -l)" "$(echo "$ps * $points / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
  CPU_PER_STEP=$(echo "$cpu / $ps" | bc -l)
}

# P&L std of the periodic hedger in the last run's file (the cross-check with QuantLib's table).
pnl_std() {
  /usr/bin/python3 -c "import h5py,sys; print('%.4f' % h5py.File(sys.argv[1])['hedging/periodic/pnl_std'][()].ravel()[0])" "$TMP/out.h5"
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
  a21=$CPU_PER_STEP
  std21=$(pnl_std)
  run "(a) quantlib 84 hedges, float" "$be" "$QL_PATHS" 84 1 scenarios/quantlib_discrete_hedging.toml --set simulation.steps=84 --set "$F"
  a84=$CPU_PER_STEP
  std84=$(pnl_std)
  run "(a) quantlib 21 hedges, double" "$be" "$QL_PATHS" 21 1 scenarios/quantlib_discrete_hedging.toml --set simulation.steps=21
  a21d=$CPU_PER_STEP
  run "(b) crypto grid 3x8, 720 steps" "$be" "$B_PATHS" 720 25 benchmarks/crypto_grid.toml
  run "(c) cppi grid 5x5, 720 steps" "$be" "$C_PATHS" 720 25 benchmarks/cppi_grid.toml
done

if [ "$GPU_ONLY" = 0 ] && command -v DiscreteHedging >/dev/null; then
  /usr/bin/time -f "%e %U %S %M" -o "$TMP/time" DiscreteHedging >"$TMP/ql.txt"
  read -r wall user sys rss <"$TMP/time"
  ql_steps=$((50000 * (21 + 84)))
  ql_cpu=$(echo "$user + $sys" | bc -l)
  printf "%-36s %-5s %10d %12d %8.2f %8.2f %14.3e %14s %9.0f\n" "QuantLib DiscreteHedging (21+84)" cpu 50000 "$ql_steps" \
    "$wall" "$ql_cpu" "$(echo "$ql_steps / $wall" | bc -l)" "-" "$(echo "$rss / 1024" | bc -l)"
  ql_per_step=$(echo "$ql_cpu / $ql_steps" | bc -l)
  echo
  printf "QuantLib: %.3e path-steps per CPU-second\n" "$(echo "1 / $ql_per_step" | bc -l)"
  printf "hedgemap (a) 21 hedges: %.3e path-steps per CPU-second = %.1fx QuantLib\n" \
    "$(echo "1 / $a21" | bc -l)" "$(echo "$ql_per_step / $a21" | bc -l)"
  printf "hedgemap (a) 84 hedges: %.3e path-steps per CPU-second = %.1fx QuantLib\n" \
    "$(echo "1 / $a84" | bc -l)" "$(echo "$ql_per_step / $a84" | bc -l)"
  printf "hedgemap (a) 21 hedges, double: %.3e path-steps per CPU-second = %.1fx QuantLib\n" \
    "$(echo "1 / $a21d" | bc -l)" "$(echo "$ql_per_step / $a21d" | bc -l)"
  echo "hedgemap P&L std (float, $QL_PATHS paths): 21 hedges $std21, 84 hedges $std84"
  echo "QuantLib's own table (its P&L std is the independent cross-check of (a)):"
  grep -E "^ +50000" "$TMP/ql.txt"
fi
