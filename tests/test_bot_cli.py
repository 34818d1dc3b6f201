"""``python -m bot analyze`` as a user runs it (subprocesses): formats, stdin, batch mode and bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fakebotapi import parse_telegram_html

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "rfa-kursk-north-korean-casualties-2024-12-20.txt"
WIKINEWS = [
    json.loads(line) for line in (ROOT / "tests" / "data" / "wikinews-sample.jsonl").read_text("utf-8").splitlines()
]

#: Invented texts (not from any outlet).
GERMAN = (
    "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke über den Fluss im nächsten Jahr abzureißen "
    "und durch einen Neubau zu ersetzen. Die Bürgermeisterin sagte, die Kosten lägen bei etwa zwölf Millionen "
    "Euro, und die Arbeiten sollten im Frühjahr beginnen, wenn das Wetter es zulasse und die Genehmigungen "
    "rechtzeitig vorlägen."
)
SPANISH = (
    "El ayuntamiento anunció el martes que cerrará el puente viejo sobre el río durante tres meses para "
    "repararlo. Según la alcaldesa, las obras costarán unos doce millones de euros y empezarán en primavera, "
    "siempre que el tiempo lo permita y que los permisos lleguen a tiempo para los trabajadores de la ciudad."
)
SHORT = "The council said on Tuesday that the old bridge will close for repairs next month."
ARTICLE = (
    "The city council voted on Tuesday to close the old river bridge for three months of repairs. "
    "Mayor Hanna Lindqvist said that the work would cost about 12 million dollars and start in the spring. "
    "“We cannot wait any longer,” she told reporters. Engineers have warned that the bridge could fail, "
    "but the transport ministry has not confirmed the inspection findings."
)


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "analyze", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        check=False,
        timeout=180,
    )


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
def test_cli_each_format_prints_a_report(fmt: str) -> None:
    result = run_cli("--format", fmt, str(SEED))
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode("utf-8")
    if fmt == "html":
        plain, entities = parse_telegram_html(out.strip())
        assert re.search(r"\d+ claims · \d+ sources · \d+ unverified", plain), plain[:200]
        assert any(name in plain for name in ("Zelensk", "Ryder", "Defence Intelligence", "Kovalenko"))
        assert any(e["type"] == "bold" for e in entities)
        return
    assert "Zelensk" in out and "Ryder" in out
    if fmt == "json":
        assert json.loads(out)["schema"] == "claimdesk.report/1"
    elif fmt == "markdown":
        assert out.lstrip().startswith("#") or "**" in out
    else:
        assert "<b>" not in out and "{" not in out.split("\n", 1)[0]


def test_cli_article_html_is_the_marked_up_page_of_the_input() -> None:
    result = run_cli("--format", "article-html", "-", stdin=ARTICLE.encode("utf-8"))
    assert result.returncode == 0, result.stderr.decode()
    page = result.stdout.decode("utf-8")
    report = json.loads(run_cli("--format", "json", "-", stdin=ARTICLE.encode("utf-8")).stdout)
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert f'data-attributions="{len(report["attributions"])}"' in page
    assert 'data-marks="src-1' in page and "Lindqvist" in page


def test_cli_reads_standard_input_with_dash() -> None:
    result = run_cli("--format", "json", "-", stdin=ARTICLE.encode("utf-8"))
    assert result.returncode == 0, result.stderr.decode()
    report = json.loads(result.stdout)
    assert report["article"]["words"] == len(ARTICLE.split())
    assert any("Lindqvist" in s["name"] for s in report["sources"])


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Any], list[dict[str, Any]], str]:
    """A JSON-lines batch of good articles and bad lines through 2 workers: ids, outputs, stderr."""
    lines: list[str] = []
    ids: list[Any] = []
    for n, article in enumerate(WIKINEWS):
        ids.append(f"wn-{n}")
        lines.append(json.dumps({"id": f"wn-{n}", "text": article["text"], "url": article["url"]}))
    bad = [
        ("not json", '{"id": "broken", "text": '),
        ("no-text", json.dumps({"id": "no-text", "body": ARTICLE})),
        ("short", json.dumps({"id": "short", "text": SHORT})),
        ("german", json.dumps({"id": "german", "text": GERMAN})),
        (7, json.dumps({"id": 7, "text": ARTICLE})),
        ("spanish", json.dumps({"id": "spanish", "text": SPANISH})),
        ("empty", json.dumps({"id": "empty", "text": "   "})),
    ]
    for position, (item_id, line) in zip((1, 3, 4, 5, 6, 8, 9), bad):
        lines.insert(position, line)
        ids.insert(position, item_id)
    for n in range(6):  # enough articles that both workers get chunks
        lines.append(json.dumps({"id": f"more-{n}", "text": WIKINEWS[n % len(WIKINEWS)]["text"]}))
        ids.append(f"more-{n}")
    source = tmp_path_factory.mktemp("batch") / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", "utf-8")
    result = run_cli("--jsonl", str(source), "--workers", "2")
    assert result.returncode == 0, result.stderr.decode()
    records = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    return ids, records, result.stderr.decode("utf-8")


def test_cli_batch_keeps_input_order_and_ids(batch: tuple[list[Any], list[dict[str, Any]], str]) -> None:
    ids, records, _ = batch
    assert len(records) == len(ids)
    assert [r.get("id") if r.get("id") is not None else "not json" for r in records] == ids


def test_cli_batch_reports_good_lines(batch: tuple[list[Any], list[dict[str, Any]], str]) -> None:
    _, records, stderr = batch
    reports = [r for r in records if "error" not in r]
    assert len(reports) == len(WIKINEWS) + 1 + 6
    for record in reports:
        assert record["schema"] == "claimdesk.report/1" and record["claims"]
    by_id = {r["id"]: r for r in reports}
    assert by_id["wn-0"]["article"]["sha256"] == by_id["more-0"]["article"]["sha256"]
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("item_id", "line", "code"),
    [
        (None, 2, "bad_json"),
        ("no-text", 4, "no_text"),
        ("short", 5, "too_short"),
        ("german", 6, "not_english"),
        ("spanish", 9, "not_english"),
        ("empty", 10, "empty"),
    ],
)
def test_cli_batch_bad_line_gives_error_record(
    batch: tuple[list[Any], list[dict[str, Any]], str], item_id: str | None, line: int, code: str
) -> None:
    _, records, _ = batch
    record = records[line - 1]
    assert record["id"] == item_id
    assert record["line"] == line
    assert record["error"]["code"] == code and record["error"]["message"]


LONG = ("The council met again on Tuesday and said that the bridge repairs would go on. " * 2600)[:200_500]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"  \n\t \n  ", "empty", id="whitespace"),
        pytest.param(
            ARTICLE.encode("utf-8")[:60] + b"\xff\xfe\xc3" + ARTICLE.encode("utf-8")[60:],
            "utf-8",
            id="invalid-utf8",
        ),
        pytest.param(ARTICLE.encode("utf-8") + b"\x00\x01\x02\x00" * 10, "binary", id="binary-nul"),
        pytest.param(SHORT.encode("utf-8"), "too short", id="under-40-words"),
        pytest.param(GERMAN.encode("utf-8"), "language not supported yet", id="german"),
        pytest.param(SPANISH.encode("utf-8"), "language not supported yet", id="spanish"),
        pytest.param(LONG.encode("utf-8"), "longer than 200,000", id="over-200000-chars"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(tmp_path: Path, data: bytes, words: str) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    result = run_cli(str(path))
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 2
    assert result.stdout == b""
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert words in stderr.lower()
