#!/usr/bin/env bash
# Fuzzes hedgemap's untrusted inputs for SECONDS per target (default 60) with libFuzzer, ASan and
# UBSan: the scenario parser and validator with overrides, the checkpoint decoder, and the results
# reader behind inspect/export (tests/fuzz/fuzz_targets.hpp). Builds ./build-fuzz (clang-14,
# CPU-only) when needed, first replays every seed and saved crasher, then fuzzes each target in
# turn and prints its executions. Exits 1 on any crash, hang, leak, out-of-memory or sanitizer
# report; the input is left in build-fuzz/artifacts/<target>/ (add it to
# tests/fuzz/regressions/<target>/ once fixed, so that ctest replays it).
#   bash scripts/fuzz.sh 30       # CI
#   bash scripts/fuzz.sh 600      # the issue's 10 minutes per target
# Environment: BUILD_DIR (build-fuzz), FUZZ_TARGETS ("scenario checkpoint results"; results_raw
# feeds raw bytes to libhdf5, whose own crashes on corrupted files it finds in seconds), JOBS.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
BUILD_DIR=${BUILD_DIR:-build-fuzz}
TARGETS=${FUZZ_TARGETS:-"scenario checkpoint results"}
JOBS=${JOBS:-$(nproc)}

if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DHEDGEMAP_FUZZ=ON \
    -DHEDGEMAP_CUDA=OFF -DHEDGEMAP_TESTS=OFF -DHEDGEMAP_BENCHMARKS=OFF "${launcher[@]}"
fi
cmake --build "$BUILD_DIR" -j "$JOBS" --target $(for t in $TARGETS; do printf 'fuzz_%s ' "$t"; done)

# Sanitizers: abort on the first report; leaks are reported by libFuzzer per input, except those
# inside libhdf5 listed (with the reason) in tests/fuzz/lsan.supp.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# libFuzzer options: a hang is an input that takes more than 10 s; 2 GiB of memory at most.
FUZZ_OPTIONS=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1)

export TMPDIR="$PWD/$BUILD_DIR/tmp"  # the results targets' scratch files, left by a crash
mkdir -p "$TMPDIR"
status=0
summary=()
for t in $TARGETS; do
  bin="$BUILD_DIR/fuzz_$t"
  seeds="tests/fuzz/corpus/$t"
  [ "$t" = results_raw ] && seeds="tests/fuzz/results_bases"
  regressions="tests/fuzz/regressions/$t"
  work="$BUILD_DIR/corpus/$t"        # grows across runs; not committed
  artifacts="$BUILD_DIR/artifacts/$t/"
  mkdir -p "$work" "$artifacts" "$regressions"
  log="$BUILD_DIR/fuzz_$t.log"
  echo "== fuzz_$t: replaying $seeds and $regressions"
  if ! "$bin" "${FUZZ_OPTIONS[@]}" -runs=0 "$regressions" "$seeds" >"$log.replay" 2>&1; then
    tail -n 40 "$log.replay"
    echo "fuzz_$t: a seed or saved crasher fails (log: $log.replay)"
    status=1
    summary+=("fuzz_$t: FAILED on the seeds / regressions")
    continue
  fi
  echo "== fuzz_$t: fuzzing for $SECONDS_PER_TARGET s"
  rc=0
  "$bin" "${FUZZ_OPTIONS[@]}" -max_total_time="$SECONDS_PER_TARGET" \
    -artifact_prefix="$artifacts" "$work" "$seeds" "$regressions" >"$log" 2>&1 || rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
  if [ "$rc" -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|FUZZ FINDING' "$log"; then
    grep -E 'ERROR:|runtime error:|FUZZ FINDING|SUMMARY:|Test unit written to' "$log" | head -n 20 || true
    echo "fuzz_$t: FOUND A PROBLEM (rc $rc; log: $log; input in $artifacts)"
    status=1
    summary+=("fuzz_$t: FAILED after ${execs:-?} executions (rc $rc)")
  else
    summary+=("fuzz_$t: ${execs:-?} executions in ${SECONDS_PER_TARGET} s (${speed:-?}/s), coverage ${cov:-?} edges, nothing found")
  fi
done
echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
exit $status
