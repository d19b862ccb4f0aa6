#!/usr/bin/env python3
"""Runs a command and prints "wall_s user_s sys_s peak_KiB" of it (its own rusage), so the
benchmark needs neither /usr/bin/time nor bc (a lent GPU machine has neither).
    python3 scripts/timed_run.py [--repeat N] -- COMMAND ARGS...
With --repeat N the command runs N times and the run with the fewest CPU seconds (user + sys) is
printed: on a shared VM the other runs measure the neighbours as much as the program.
"""
import os
import subprocess
import sys
import time

args = sys.argv[1:]
repeat = 1
if args[:1] == ["--repeat"]:
    repeat = max(1, int(args[1]))
    args = args[2:]
if args and args[0] == "--":
    args = args[1:]
best = None
for _ in range(repeat):
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    rc = os.waitstatus_to_exitcode(status)
    if rc != 0:
        sys.exit(rc)
    run = (usage.ru_utime + usage.ru_stime, wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss)
    best = run if best is None or run[0] < best[0] else best
_, wall, user, sys_s, rss = best
print(f"{wall:.3f} {user:.3f} {sys_s:.3f} {rss}")
