"""Run every benchmark in this folder and print their tables (`make bench`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BENCHMARKS = [
    "import_inventory.py",
    "needs.py",
    "linkage.py",
    "indicators.py",
    "web_load.py",
    "projection.py",
    "mentoring.py",
    "allocate_posts.py",
    "location_allocation.py",
]

if __name__ == "__main__":
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        subprocess.run([sys.executable, str(HERE / name), *sys.argv[1:]], check=True)
