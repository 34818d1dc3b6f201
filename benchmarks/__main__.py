"""``python -m benchmarks``: run the extraction speed benchmark and print its table."""

from __future__ import annotations

import sys

from benchmarks.extraction import main

if __name__ == "__main__":
    sys.exit(main())
