#!/usr/bin/env python3
"""How vectorised the hot functions are, from the disassembly: instructions, those on zmm / ymm
registers, packed (..ps/..pd) and scalar floating-point (..ss/..sd) arithmetic per function.
    python3 scripts/vector_share.py [build/hedgemap] [name-prefix ...]
Default prefixes: the AVX-512 hedging batch and the column moments."""
import re
import subprocess
import sys

binary = sys.argv[1] if len(sys.argv) > 1 else "build/hedgemap"
prefixes = sys.argv[2:] or ["hedgemap::simd_avx512::run_batch",
                            "hedgemap::simd_avx512::book_delta_lanes",
                            "hedgemap::simd_avx512::trade_lanes",
                            "hedgemap::ColumnMoments::add_block"]
listing = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "-C", binary],
                         capture_output=True, text=True, check=True).stdout
functions, current = {}, None
for line in listing.splitlines():
    header = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
    if header:
        current = header.group(1)
        functions.setdefault(current, [])
    elif current and "\t" in line:
        functions[current].append(line.split("\t", 1)[1].strip())
print(f"{'function':62s} {'instr':>6s} {'zmm':>6s} {'ymm':>5s} {'packed':>7s} {'scalar fp':>9s}")
for name, code in functions.items():
    if not any(name.startswith(p) for p in prefixes):
        continue
    mnemonics = [c.split()[0] for c in code if c]
    packed = sum(bool(re.match(r"v?\w+p[sd]$", m)) for m in mnemonics)
    scalar = sum(bool(re.match(r"v?(add|sub|mul|div|sqrt|max|min|fn?m(add|sub)\d*|cvt\w*)s[sd]$", m))
                 for m in mnemonics)
    print(f"{name[:62]:62s} {len(code):6d} {sum('zmm' in c for c in code):6d} "
          f"{sum('ymm' in c for c in code):5d} {packed:7d} {scalar:9d}")
