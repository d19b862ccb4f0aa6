#!/usr/bin/env bash
# Installs every Debian package that hedgemap's build, tests, benchmarks and scripts need.
# Idempotent; apt-get only. CUDA is not installed here: the build uses /usr/local/cuda when present.
# Do NOT add libthrust-dev or libcub-dev: they shadow the CUDA toolkit's own Thrust/CUB.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libcli11-dev            # command line
  libtomlplusplus-dev     # scenario files
  libhdf5-dev hdf5-tools  # results files (C library + high-level H5DS), h5dump
  libssl-dev              # SHA-256 (OpenSSL libcrypto) of scenarios and checkpoints
  librandom123-dev        # Philox4x32-10 on the CPU (bit-identical to cuRAND's)
  libsleef-dev            # vector exp/log/sincos: lane-batched CPU hedging (optional)
  libgtest-dev libgmock-dev googletest  # unit tests
  libbenchmark-dev        # micro-benchmarks
  libomp-dev              # OpenMP runtime headers for the CPU backend
  openmpi-bin libopenmpi-dev  # MPI ranks (mpirun; optional: without them, one process per run)
  clang-14 libclang-rt-14-dev  # libFuzzer, ASan, UBSan: scripts/fuzz.sh (CI runs it)
  python3 python3-h5py python3-xarray python3-h5netcdf python3-netcdf4 python3-matplotlib
  python3-numpy python3-pytest   # reader, plots, report, and their tests
  python3-sklearn python3-scipy python3-tqdm  # the Python package: law fits, progress bar
  time                    # /usr/bin/time: peak memory measurements in BENCHMARKS.md
  quantlib-examples       # QuantLib's DiscreteHedging, timed beside hedgemap in scripts/bench.sh
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
