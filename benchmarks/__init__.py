"""Claimdesk benchmarks: ``python -m benchmarks`` (or ``make bench``) measures and records the figures."""
