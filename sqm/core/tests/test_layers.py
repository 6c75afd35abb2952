"""Apps depend one way (docs/architecture.md): an app imports only apps installed before it.

The order of ``INSTALLED_APPS`` is the layering; this test reads every module of every SQM app
and fails on an import of a later app, so a shortcut that would tangle the layers is caught when
it is written, not when it becomes a cycle. Tests are exempt (a test may build its world with any
app's factories); the few deliberate exceptions are listed below with their reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

SQM_ROOT = Path(__file__).resolve().parents[2]
PROJECT_MODULES = {"sqm.schedule", "sqm.settings", "sqm.api", "sqm.urls"}  # the wiring, above every app
EXCEPTIONS = {
    # `sqm demo` and the language switch are project-level entry points that happen to live in core.
    ("core/management/commands/demo.py", "sqm.org"),
    ("core/views.py", "sqm.org"),
    # Solved cases and suggestions read one ticket for display, lazily, through the ticket selectors.
    ("knowledge/views.py", "sqm.tickets"),
    ("knowledge/api.py", "sqm.tickets"),
}


def _layers() -> list[str]:
    return [name.split(".")[1] for name in settings.INSTALLED_APPS if name.startswith("sqm.")]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name.startswith("sqm.")}


def test_apps_import_only_the_apps_below_them():
    layers = _layers()
    rank = {app: index for index, app in enumerate(layers)}
    violations = []
    for app in layers:
        for path in sorted((SQM_ROOT / app).rglob("*.py")):
            where = str(path.relative_to(SQM_ROOT))
            if "tests" in path.relative_to(SQM_ROOT).parts:
                continue
            for name in _imports(path):
                if name in PROJECT_MODULES or any(name.startswith(m + ".") for m in PROJECT_MODULES):
                    continue
                if (where, ".".join(name.split(".")[:2])) in EXCEPTIONS:
                    continue
                target = name.split(".")[1]
                if target in rank and rank[target] > rank[app]:
                    violations.append(f"{where} imports {name} ({app} is below {target})")
    assert sorted(set(violations)) == []


def test_the_layering_is_the_documented_one():
    architecture = (SQM_ROOT.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert "  ←  ".join(_layers()) in architecture
