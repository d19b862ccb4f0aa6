#!/usr/bin/env python3
"""Compiler figures of the CUDA kernels: registers, stack, spills (from `ptxas -v`, which a CUDA build
configured with -DHEDGEMAP_PTXAS_VERBOSE=ON prints for host/cuda/backend.cu) and the theoretical occupancy that follows, as a
Markdown table. Needs no GPU:

  cmake -B build -DHEDGEMAP_PTXAS_VERBOSE=ON && touch host/cuda/backend.cu && cmake --build build --target hedgemap_cuda 2>&1 | python3 scripts/gpu_resource_table.py

Occupancy follows the rules of the CUDA toolkit's cuda_occupancy.h
(cudaOccMaxActiveBlocksPerMultiprocessor) for compute capability 9.0 (H100/H200): 65,536
registers per SM in 4 sub-partitions, allocated per warp in units of 256, at most 255 per
thread, 64 warps (2,048 threads) and 32 blocks per SM; the kernels use no shared memory.
"""
import argparse
import re
import subprocess
import sys

SM90 = dict(regs_per_sm=65536, regs_per_block=65536, sub_partitions=4, reg_unit=256,
            max_regs_per_thread=255, max_warps=64, max_blocks=32, warp_size=32)


def round_up(x, unit):
    return (x + unit - 1) // unit * unit


def active_warps(registers, block_size, arch=SM90):
    """Resident warps per SM of a kernel using `registers` per thread, launched in blocks of
    `block_size` threads (the register, warp and block limits of cuda_occupancy.h)."""
    warps_per_block = -(-block_size // arch["warp_size"])
    regs_per_warp = round_up(registers * arch["warp_size"], arch["reg_unit"])
    assumed_per_block = regs_per_warp * round_up(warps_per_block, arch["sub_partitions"])
    if (assumed_per_block > arch["regs_per_block"] or registers > arch["max_regs_per_thread"]):
        return 0
    warps_per_sub = (arch["regs_per_sm"] // arch["sub_partitions"]) // regs_per_warp
    blocks = min((warps_per_sub * arch["sub_partitions"]) // warps_per_block,
                 arch["max_warps"] // warps_per_block, arch["max_blocks"])
    return blocks * warps_per_block


def parse_ptxas(text):
    """(mangled name, registers, stack bytes, spill store bytes, spill load bytes) per entry."""
    rows, current = [], None
    for line in text.splitlines():
        m = re.search(r"Compiling entry function '(\S+)'(?: for '(sm_\d+)')?", line)
        if m:
            current = {"name": m.group(1), "arch": m.group(2) or "?"}
            rows.append(current)
            continue
        if current is None:
            continue
        m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", line)
        if m and "stack" not in current:
            current["stack"], current["spill_st"], current["spill_ld"] = map(int, m.groups())
        m = re.search(r"Used (\d+) registers", line)
        if m and "registers" not in current:
            current["registers"] = int(m.group(1))
    return [r for r in rows if "registers" in r]


def variant_name(variant):
    """' heston', ' merton', ... for a kernel variant; '' for the constant-volatility default."""
    parts = ((["heston"] if variant % 2 else []) + (["merton"] if (variant // 2) % 2 else []) +
             (["vega"] if (variant // 4) % 2 else []) + (["slots"] if variant // 8 else []))
    return "".join(" " + p for p in parts)


def describe(mangled):
    """(kernel type, capacity) from a demangled path_kernel / capacity_path_kernel name."""
    try:
        name = subprocess.run(["c++filt"], input=mangled, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        name = mangled
    # One kernel per compile-time variant (host/cuda/backend.cu): the volatility model (0 constant,
    # 1 heston) + 2 x the hedging model (0 black_scholes, 1 merton) + 4 x delta_vega_band on
    # (" vega") + 8 x several cost slots (" slots") for HedgingKernel.
    # (Builds before the variants had no third template argument.)
    m = re.search(r"capacity_path_kernel<hedgemap::(\w+<\w+>), (\d+)(?:, (\d+))?>", name)
    if m:
        return m.group(1) + variant_name(int(m.group(3) or 0)), m.group(2)
    m = re.search(r"(?<!capacity_)path_kernel<hedgemap::(\w+<\w+>)(?:, (\d+))? ?>", name)
    if m:
        return m.group(1) + variant_name(int(m.group(2) or 0)), "max"
    if "cub::" in name or "thrust::" in name:
        return "Thrust/CUB library kernels", "-"
    # the project's other kernels: no namespaces, no parameter list
    name = re.sub(r"^void ", "", name)
    name = name.replace("hedgemap::cuda_backend::(anonymous namespace)::", "")
    name = re.sub(r"\(.*\)$", "", name)
    return name, "-"


def merge_library_rows(rows):
    """One row for all Thrust/CUB kernels: the largest registers, stack and spills among them."""
    library = [r for r in rows if r["kernel"] == "Thrust/CUB library kernels"]
    if not library:
        return rows
    merged = {"kernel": f"Thrust/CUB library kernels ({len(library)}, the largest figures)",
              "capacity": "-", "arch": "all"}
    for key in ("registers", "stack", "spill_st", "spill_ld"):
        merged[key] = max(r[key] for r in library)
    return [r for r in rows if r["kernel"] != "Thrust/CUB library kernels"] + [merged]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("log", nargs="?", help="ptxas -v output (default: stdin)")
    ap.add_argument("--block", type=int, default=128, help="threads per block (default 128)")
    args = ap.parse_args()
    text = open(args.log).read() if args.log else sys.stdin.read()
    rows = parse_ptxas(text)
    if not rows:
        sys.exit("no ptxas -v entries in the input (is host/cuda/backend.cu rebuilt with -Xptxas=-v?)")
    print(f"| kernel | arch | capacity | registers | stack B | spill stores/loads B | warps/SM "
          f"({args.block} thr/block) | occupancy | warps/SM at 64 / 256 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        r["kernel"], r["capacity"] = describe(r["name"])
    rows = merge_library_rows(rows)
    rows.sort(key=lambda r: (r["kernel"], int(r["capacity"]) if r["capacity"].isdigit() else 1 << 30,
                             r["arch"]))
    for r in rows:
        kernel, capacity = r["kernel"], r["capacity"]
        warps = active_warps(r["registers"], args.block)
        print(f"| {kernel} | {r['arch']} | {capacity} | {r['registers']} | {r['stack']:,} | "
              f"{r['spill_st']} / {r['spill_ld']} | {warps} | {warps / SM90['max_warps']:.1%} | "
              f"{active_warps(r['registers'], 64)} / {active_warps(r['registers'], 256)} |")


if __name__ == "__main__":
    main()
