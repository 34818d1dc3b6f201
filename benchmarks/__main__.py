"""``python -m benchmarks [extraction|burst|storage|desk|robustness|engines|processes|all] [options]``: run benchmarks and print
their tables.

No name: all of them, one after another, with their default options. Options without a name go to the
extraction benchmark (as before the others existed); ``python -m benchmarks NAME --help`` lists a
benchmark's options.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from benchmarks import bot_burst, desk_matching, engines, extraction, processes, robustness, storage_speed

BENCHMARKS: dict[str, Callable[[Sequence[str] | None], int]] = {
    "extraction": extraction.main,
    "burst": bot_burst.main,
    "storage": storage_speed.main,
    "desk": desk_matching.main,
    "engines": engines.main,
    "processes": processes.main,
    "robustness": robustness.main,
}


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0] == "all":
        return max(run([]) for run in BENCHMARKS.values())
    if argv[0] in BENCHMARKS:
        return BENCHMARKS[argv[0]](list(argv[1:]))
    if argv[0].startswith("-"):
        return extraction.main(list(argv))
    print(
        f"python -m benchmarks: unknown benchmark {argv[0]!r}; use one of {', '.join(BENCHMARKS)} or all",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
