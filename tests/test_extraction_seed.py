"""Seed acceptance: the seed article through ``analyze --format json`` meets every editor expectation.

The checks re-implement ``../shared/acceptance/check_seed.py`` (same normalisation and matching) over
the copy ``tests/data/seed-expectations.json``; one test per expectation, so a failure names it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "rfa-kursk-north-korean-casualties-2024-12-20.txt"
EXPECTATIONS: dict[str, Any] = json.loads((ROOT / "tests" / "data" / "seed-expectations.json").read_text("utf-8"))

Check = Callable[[dict[str, Any]], tuple[bool, str]]


def norm(value: str | None) -> str:
    """Lower case, curly quotes straightened, spaces collapsed, a leading "the " dropped."""
    value = (value or "").replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    value = re.sub(r"\s+", " ", value).strip().lower()
    return re.sub(r"^the ", "", value)


def source_names(source: dict[str, Any]) -> set[str]:
    return {norm(n) for n in [source.get("name"), *(source.get("aliases") or [])] if n}


def claims_of(report: dict[str, Any], source: dict[str, Any]) -> set[str]:
    ids = set(source.get("claims") or [])
    return ids | {c["id"] for c in report.get("claims", []) if c.get("source_id") == source.get("id")}


def matching(report: dict[str, Any], names: list[str]) -> list[dict[str, Any]]:
    """Sources whose name or an alias contains one of ``names`` as whole words."""
    patterns = [re.compile(r"(?<!\w)" + re.escape(norm(n)) + r"(?!\w)") for n in names]
    return [s for s in report.get("sources", []) if any(p.search(n) for p in patterns for n in source_names(s))]


def check_source(item: dict[str, Any]) -> Check:
    def check(report: dict[str, Any]) -> tuple[bool, str]:
        found = matching(report, item["names"])
        best = max((len(claims_of(report, s)) for s in found), default=-1)
        ok = bool(found) and best >= item.get("min_claims", 0)
        detail = "not in sources" if not found else f"{best} claims, want >= {item.get('min_claims', 0)}"
        if ok and item.get("role_any"):
            roles = " ".join(norm(s.get("role")) for s in found)
            ok = any(norm(r) in roles for r in item["role_any"])
            detail += "" if ok else f"; role missing (one of {item['role_any']})"
        return ok, detail

    return check


def check_merged(group: list[str]) -> Check:
    def check(report: dict[str, Any]) -> tuple[bool, str]:
        found = {s.get("id") for s in matching(report, group)}
        return len(found) == 1, f"{len(found)} separate sources"

    return check


def check_unverified(item: dict[str, Any]) -> Check:
    def check(report: dict[str, Any]) -> tuple[bool, str]:
        evidence = [norm(u.get("evidence")) + " | " + norm(u.get("reason")) for u in report.get("unverified", [])]
        ok = any(norm(e) in ev for e in item["evidence_any"] for ev in evidence)
        return ok, "flagged" if ok else f"not flagged among {evidence}"

    return check


def check_quote(item: dict[str, Any]) -> Check:
    def check(report: dict[str, Any]) -> tuple[bool, str]:
        by_id = {s.get("id"): s for s in report.get("sources", [])}
        for attribution in report.get("attributions", []):
            content = norm(attribution.get("content")).lstrip("\"' ")
            content = content.removeprefix("that ")
            if content.startswith(norm(item["starts_with"])):
                names = source_names(by_id.get(attribution.get("source_id"), {})) | {norm(attribution.get("source"))}
                if any(norm(item["speaker"]) in n for n in names):
                    return True, "attributed"
        return False, "missing or wrong speaker"

    return check


def check_not_claim(line: str) -> Check:
    def check(report: dict[str, Any]) -> tuple[bool, str]:
        texts = [norm(c.get("text")) for c in report.get("claims", [])]
        texts += [norm(a.get("content")) for a in report.get("attributions", [])]
        bad = any(norm(line) in t for t in texts)
        return bool(texts) and not bad, "reported as a claim" if bad else "no claims at all or left out"

    return check


def check_figure(figure: str) -> Check:
    def check(report: dict[str, Any]) -> tuple[bool, str]:
        figures = " ".join(norm(f.get("text")) for c in report.get("claims", []) for f in c.get("figures") or [])
        return norm(figure) in figures, f"figures: {figures!r}"

    return check


def expectations() -> list[Any]:
    """One ``pytest.param`` per expectation, with an id that names it."""
    cases = [pytest.param(check_source(s), id=f"source-{s['id']}") for s in EXPECTATIONS["sources"]]
    cases += [pytest.param(check_merged(g), id=f"merged-{'+'.join(g)}") for g in EXPECTATIONS.get("merged", [])]
    cases += [pytest.param(check_unverified(u), id=f"unverified-{u['id']}") for u in EXPECTATIONS["unverified"]]
    cases += [
        pytest.param(check_quote(q), id=f"quote-{q['speaker']}-{q['starts_with'][:25]}")
        for q in EXPECTATIONS.get("quotes", [])
    ]
    cases += [pytest.param(check_not_claim(n), id=f"not-claim-{n[:30]}") for n in EXPECTATIONS.get("not_claims", [])]
    cases += [pytest.param(check_figure(f), id=f"figure-{f}") for f in EXPECTATIONS.get("figures", [])]
    return cases


@pytest.fixture(scope="module")
def seed_report() -> dict[str, Any]:
    """The seed's JSON report, from the command line exactly as a user runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "analyze", "--format", "json", str(SEED)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_seed_expectations_are_all_collected() -> None:
    total = sum(
        len(EXPECTATIONS.get(k, [])) for k in ("sources", "merged", "unverified", "quotes", "not_claims", "figures")
    )
    assert len(expectations()) == total == 34


@pytest.mark.parametrize("check", expectations())
def test_seed_expectation_met(seed_report: dict[str, Any], check: Check) -> None:
    ok, detail = check(seed_report)
    assert ok, detail
