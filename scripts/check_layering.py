#!/usr/bin/env python3
"""Fails (exit 1) when an include runs up host/'s layers or forms a cycle (host/LAYERS.md).

Layers, lowest first: kernels/ < host/scenario/ < host/statistics/ < host/cpu/, host/cuda/ <
host/exec/ < host/families/ < host/formats/ < host/ (main, sweep, progress). A file may include
its own folder and any lower rank; two folders of the same rank (cpu, cuda) may not include
each other. Every `#include "..."` counts, also under #ifdef.

  python3 scripts/check_layering.py [REPO_ROOT]
"""
import re
import sys
from pathlib import Path

RANKS = {
    "kernels": 0,
    "host/scenario": 1,
    "host/statistics": 2,
    "host/cpu": 3,
    "host/cuda": 3,
    "host/exec": 4,
    "host/families": 5,
    "host/formats": 6,
    "host": 7,
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SOURCES = (".hpp", ".cpp", ".cu", ".cuh", ".inl", ".h")


def folder_of(path: str) -> str:
    parent = str(Path(path).parent)
    return parent if parent in RANKS else ""


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
    files = sorted(p for top in ("kernels", "host") for p in (root / top).rglob("*")
                   if p.suffix in SOURCES)
    graph: dict[str, list[str]] = {}
    problems = []
    for f in files:
        rel = f.relative_to(root).as_posix()
        here = folder_of(rel)
        if not here:
            problems.append(f"{rel}: in no layer of scripts/check_layering.py (add its folder)")
            continue
        graph[rel] = []
        for target in INCLUDE.findall(f.read_text(errors="replace")):
            there = folder_of(target)
            if not there:
                continue  # generated headers (build_info.hpp) and system-like includes
            graph[rel].append(target)
            if there == here:
                continue
            if RANKS[there] > RANKS[here] or (RANKS[there] == RANKS[here]):
                problems.append(f"{rel} includes {target}: {there}/ (rank {RANKS[there]}) is not "
                                f"below {here}/ (rank {RANKS[here]})")
    # Cycles among files (also inside one folder): depth-first search with colours.
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        colour[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if colour.get(nxt, 0) == 1:
                problems.append("include cycle: " + " -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif colour.get(nxt, 0) == 0:
                visit(nxt)
        stack.pop()
        colour[node] = 2

    for node in sorted(graph):
        if colour.get(node, 0) == 0:
            visit(node)
    for p in problems:
        print("layering:", p)
    print(f"layering: {len(graph)} files, {sum(map(len, graph.values()))} project includes, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
