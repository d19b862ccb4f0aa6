"""scripts/gpu_resource_table.py: its occupancy rule against the CUDA toolkit's own calculator
(cuda_occupancy.h, compiled here with g++; skipped without the toolkit), and its reading of
`ptxas -v` output."""
import os
import shutil
import subprocess

import pytest

from conftest import SCRIPTS
import gpu_resource_table as grt

OCCUPANCY_H = "/usr/local/cuda/include/cuda_occupancy.h"

REFERENCE = r"""
#include <cuda_occupancy.h>
#include <cstdio>
int main() {
  cudaOccDeviceProp p;  // compute capability 9.0 (H100, H200)
  p.computeMajor = 9; p.computeMinor = 0;
  p.maxThreadsPerBlock = 1024; p.maxThreadsPerMultiprocessor = 2048;
  p.regsPerBlock = 65536; p.regsPerMultiprocessor = 65536; p.warpSize = 32;
  p.sharedMemPerBlock = 49152; p.sharedMemPerMultiprocessor = 233472;
  p.numSms = 132; p.sharedMemPerBlockOptin = 232448; p.reservedSharedMemPerBlock = 1024;
  const int block_sizes[] = {32, 64, 96, 128, 256, 512};
  for (int bs : block_sizes)
    for (int r = 16; r <= 255; ++r) {
      cudaOccFuncAttributes a;
      a.maxThreadsPerBlock = 1024; a.numRegs = r; a.sharedSizeBytes = 0;
      a.partitionedGCConfig = PARTITIONED_GC_OFF; a.shmemLimitConfig = FUNC_SHMEM_LIMIT_DEFAULT;
      a.maxDynamicSharedSizeBytes = 0; a.numBlockBarriers = 1;
      cudaOccDeviceState s;
      cudaOccResult res;
      if (cudaOccMaxActiveBlocksPerMultiprocessor(&res, &p, &a, &s, bs, 0) != CUDA_OCC_SUCCESS) return 1;
      std::printf("%d %d %d\n", bs, r, res.activeBlocksPerMultiprocessor * ((bs + 31) / 32));
    }
}
"""


@pytest.mark.skipif(not os.path.exists(OCCUPANCY_H) or shutil.which("g++") is None,
                    reason="needs the CUDA toolkit's cuda_occupancy.h and g++")
def test_occupancy_matches_the_toolkit_calculator(tmp_path):
    src, exe = tmp_path / "occ.cpp", tmp_path / "occ"
    src.write_text(REFERENCE)
    subprocess.run(["g++", "-std=c++17", "-I", os.path.dirname(OCCUPANCY_H), str(src), "-o", str(exe)],
                   check=True)
    lines = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.split("\n")
    cases = [tuple(map(int, line.split())) for line in lines if line]
    assert len(cases) == 6 * 240
    mismatches = [(bs, r, w, grt.active_warps(r, bs)) for bs, r, w in cases if grt.active_warps(r, bs) != w]
    assert mismatches == []


def test_occupancy_at_known_points():
    # 128 registers: 4,096 per warp, 4 warps per sub-partition, 16 per SM; 255 no more than 8.
    assert grt.active_warps(128, 128) == 16
    assert grt.active_warps(129, 128) == 12
    assert grt.active_warps(32, 128) == 64
    assert grt.active_warps(255, 128) == 8
    assert grt.active_warps(168, 256) == 8  # 12 fit, but not as whole blocks of 8 warps


PTXAS_LOG = """\
ptxas info    : Compiling entry function '_ZN8hedgemap12cuda_backend48_GLOBAL__N__721f52d8_15_cuda_backend_cu_5c03510520capacity_path_kernelINS_10CppiKernelIfEELi16EEEvT_yyPd' for 'sm_90'
ptxas info    : Function properties for _ZN8hedgemap12cuda_backend48_GLOBAL__N__721f52d8_15_cuda_backend_cu_5c03510520capacity_path_kernelINS_10CppiKernelIfEELi16EEEvT_yyPd
    288 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 149 registers, used 0 barriers, 288 bytes cumulative stack size
ptxas info    : Compiling entry function '_ZN8hedgemap12cuda_backend48_GLOBAL__N__721f52d8_15_cuda_backend_cu_5c03510511path_kernelINS_13HedgingKernelIfEEEEvT_yyPd' for 'sm_90'
ptxas info    : Function properties for _ZN8hedgemap12cuda_backend48_GLOBAL__N__721f52d8_15_cuda_backend_cu_5c03510511path_kernelINS_13HedgingKernelIfEEEEvT_yyPd
    5912 bytes stack frame, 8 bytes spill stores, 16 bytes spill loads
ptxas info    : Used 128 registers, used 0 barriers, 5912 bytes cumulative stack size
"""


def test_reads_ptxas_entries():
    rows = grt.parse_ptxas(PTXAS_LOG)
    assert [(r["registers"], r["stack"], r["spill_st"], r["spill_ld"]) for r in rows] == [
        (149, 288, 0, 0), (128, 5912, 8, 16)]
    if shutil.which("c++filt"):
        assert grt.describe(rows[0]["name"]) == ("CppiKernel<float>", "16")
        assert grt.describe(rows[1]["name"]) == ("HedgingKernel<float>", "max")
        # one kernel per variant: volatility model + 2 x hedging model
        variant = ("_ZN8hedgemap12cuda_backend43_GLOBAL__N__61e6f42d_10_backend_cu_5c035105"
                   "20capacity_path_kernelINS_13HedgingKernelIfEELi32ELi1EEEvT_yyPd")
        assert grt.describe(variant) == ("HedgingKernel<float> heston", "32")
        variant = ("_ZN8hedgemap12cuda_backend43_GLOBAL__N__61e6f42d_10_backend_cu_5c035105"
                   "11path_kernelINS_15BookPriceKernelIdEELi0EEEvT_yyPd")
        assert grt.describe(variant) == ("BookPriceKernel<double>", "max")
        assert grt.variant_name(3) == " heston merton"
        assert grt.variant_name(4) == " vega" and grt.variant_name(7) == " heston merton vega"
        assert grt.variant_name(8) == " slots" and grt.variant_name(13) == " heston vega slots"


def test_prints_a_table_from_a_log(tmp_path):
    log = tmp_path / "ptxas.log"
    log.write_text(PTXAS_LOG)
    out = subprocess.run(["/usr/bin/python3", os.path.join(SCRIPTS, "gpu_resource_table.py"), str(log)],
                         check=True, capture_output=True, text=True).stdout
    assert "| 149 | 288 | 0 / 0 | 12 | 18.8% |" in out
    assert "| 128 | 5,912 | 8 / 16 | 16 | 25.0% |" in out


LIBRARY_LOG = """\
ptxas info    : Compiling entry function '_ZN8hedgemap12cuda_backend48_GLOBAL__N__721f52d8_15_cuda_backend_cu_5c03510523pnl_segment_sums_kernelILi2EEEvPKdPKyyddPNS_7PnlSumsE' for 'sm_90'
ptxas info    : Function properties for _ZN8hedgemap12cuda_backend48_GLOBAL__N__721f52d8_15_cuda_backend_cu_5c03510523pnl_segment_sums_kernelILi2EEEvPKdPKyyddPNS_7PnlSumsE
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 28 registers, used 0 barriers
ptxas info    : Compiling entry function '_ZN3cub17CUB_300001_SM_9006detail4scan23DeviceCompactInitKernelINS0_13ScanTileStateIiLb1EEEPlEEvT_iT0_' for 'sm_90'
ptxas info    : Function properties for _ZN3cub17CUB_300001_SM_9006detail4scan23DeviceCompactInitKernelINS0_13ScanTileStateIiLb1EEEPlEEvT_iT0_
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 12 registers, used 0 barriers
ptxas info    : Compiling entry function '_ZN3cub17CUB_300001_SM_9006detail11EmptyKernelIvEEvv' for 'sm_90'
ptxas info    : Function properties for _ZN3cub17CUB_300001_SM_9006detail11EmptyKernelIvEEvv
    16 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 4 registers, used 0 barriers
"""


@pytest.mark.skipif(not shutil.which("c++filt"), reason="c++filt (binutils) is not installed")
def test_short_kernel_names_and_one_row_for_library_kernels(tmp_path):
    log = tmp_path / "ptxas.log"
    log.write_text(LIBRARY_LOG)
    out = subprocess.run(["/usr/bin/python3", os.path.join(SCRIPTS, "gpu_resource_table.py"), str(log)],
                         check=True, capture_output=True, text=True).stdout
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 2, out
    assert rows[0].startswith("| Thrust/CUB library kernels (2, the largest figures) | all | - | 12 | 16 |")
    assert rows[1].startswith("| pnl_segment_sums_kernel<2> | sm_90 | - | 28 | 0 |")
