#!/usr/bin/env python3
"""Runs a command and prints "wall_s user_s sys_s peak_KiB" of it (children's rusage), so the
benchmark needs neither /usr/bin/time nor bc (a lent GPU machine has neither).
    python3 scripts/timed_run.py -- COMMAND ARGS...
"""
import resource
import subprocess
import sys
import time

args = sys.argv[1:]
if args and args[0] == "--":
    args = args[1:]
start = time.perf_counter()
rc = subprocess.call(args, stdout=subprocess.DEVNULL)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.3f} {usage.ru_utime:.3f} {usage.ru_stime:.3f} {usage.ru_maxrss}")
sys.exit(rc)
