"""The layers and their imports: handlers -> bot.service -> storage -> core, never back up; spaCy only in the
extraction workers; Telegram only in handlers."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Bottom to top. The core is bot/report.py, bot/origin.py, bot/render.py, bot/extraction/, bot/links/ and
#: bot/config.py (the one reader of the environment); the entry is ``python -m bot`` (bot/__main__.py, bot/cli.py).
LAYERS = ("core", "storage", "service", "handlers", "entry")


def layer(module: str) -> int | None:
    """The layer of a project module (index into :data:`LAYERS`); None for anything else."""

    def within(package: str) -> bool:
        return module == package or module.startswith(package + ".")

    if within("handlers"):
        return LAYERS.index("handlers")
    if within("storage"):
        return LAYERS.index("storage")
    if within("bot.__main__") or within("bot.cli"):
        return LAYERS.index("entry")
    if within("bot.service"):
        return LAYERS.index("service")
    if within("bot"):
        return LAYERS.index("core")
    return None


def imported(source: str) -> set[str]:
    """Every module ``source`` imports, anywhere in it; ``from a import b`` counts as ``a.b``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def upward_imports(module: str, source: str) -> list[str]:
    """The imports of ``module`` (its text ``source``) that reach a layer above its own."""
    own = layer(module)
    assert own is not None, module
    return sorted(
        f"{module} ({LAYERS[own]}) imports {name} ({LAYERS[theirs]})"
        for name in imported(source)
        if (theirs := layer(name)) is not None and theirs > own
    )


def project_modules() -> list[tuple[str, Path]]:
    found = []
    for package in ("bot", "handlers", "storage"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found.append((".".join(parts[:-1] if parts[-1] == "__init__" else parts), path))
    return found


def test_layers_no_module_imports_a_layer_above_its_own() -> None:
    upward = [
        line for module, path in project_modules() for line in upward_imports(module, path.read_text(encoding="utf-8"))
    ]
    assert upward == []


@pytest.mark.parametrize(
    ("module", "source", "upward"),
    [
        ("storage.store", "from bot.service import Job", ["storage.store (storage) imports bot.service.Job (service)"]),
        ("bot.render", "import storage.rows", ["bot.render (core) imports storage.rows (storage)"]),
        (
            "bot.service.articles",
            "def f():\n    from handlers import app",
            ["bot.service.articles (service) imports handlers.app (handlers)"],
        ),
        ("bot.links.fetch", "from bot import service", ["bot.links.fetch (core) imports bot.service (service)"]),
        ("handlers.app", "from bot.service import Job\nfrom storage import Store\nfrom bot.report import Report", []),
        ("bot.cli", "from handlers.app import run_command", []),
    ],
)
def test_layers_upward_imports_are_found(module: str, source: str, upward: list[str]) -> None:
    assert upward_imports(module, source) == upward


def _imports(path: Path) -> set[str]:
    """Top-level packages ``path`` imports, and the module itself for the ``bot`` package's modules."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0] if node.module.split(".")[0] != "bot" else node.module)
    return names


def test_layers_telegram_only_in_handlers() -> None:
    for module, path in project_modules():
        if not module.startswith("handlers"):
            assert "telegram" not in _imports(path), module


def test_app_import_boundaries() -> None:
    render = _imports(ROOT / "bot" / "render.py")
    assert render <= set(sys.stdlib_module_names) | {"bot.report", "bot.origin", "bot.desk", "__future__"}, render
    for path in (ROOT / "handlers").glob("*.py"):
        assert not _imports(path) & {"spacy", "aiosqlite"}, path
    for path in (ROOT / "bot").rglob("*.py"):
        if path.parent.name != "extraction":
            assert "spacy" not in _imports(path), path
    for path in (ROOT / "bot" / "extraction").glob("*.py"):
        if path.name in ("checks.py", "runner.py", "__init__.py"):  # worker.py loads the pipeline inside the worker
            assert not _imports(path) & {"spacy", "bot.extraction.pipeline"}, path


def test_app_main_process_does_not_load_spacy() -> None:
    # only the extraction workers load spaCy: the bot's own process starts faster and stays smaller
    code = (
        "import sys, handlers.app, bot.service, bot.cli, bot.extraction.runner, handlers.articles, storage; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'spacy'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
