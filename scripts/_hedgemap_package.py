"""Makes the repository's python/hedgemap importable for the scripts in this folder, first in
sys.path, so that a checkout's scripts use the checkout's package even without installing it."""
import os
import sys

PACKAGE_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python")
sys.path.insert(0, os.path.abspath(PACKAGE_ROOT))
