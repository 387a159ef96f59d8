"""The package layout's import rules, checked on the source with ``ast`` (nothing imported).

- The core (everything outside ``assistant/cli``, ``assistant/web`` and ``assistant/slack``)
  never imports a front end: the library works, and is tested, without any of them.
- Front ends never import each other, with one allowed direction: the CLI's ``serve`` and
  ``slack`` commands launch the web page and the Slack bot, so ``assistant.cli`` may import
  ``assistant.web`` and ``assistant.slack`` (inside those commands, so ``--help`` stays fast).
  The web page and the Slack bot never import each other or the CLI.

Every import counts, including the ones inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "assistant"
FRONT_ENDS = ("cli", "web", "slack")
# front end -> the other front ends it may import
ALLOWED = {"cli": {"web", "slack"}, "web": set(), "slack": set()}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str) -> set[str]:
    """Every ``assistant.*`` module name the source imports (``from assistant import web``
    counts as ``assistant.web``; relative imports are resolved against ``module``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: -node.level]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "assistant" or name.startswith("assistant.")}


def front_end_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) > 1 and parts[0] == "assistant" and parts[1] in FRONT_ENDS:
        return parts[1]
    return None


def violations(module: str, imports: set[str]) -> list[str]:
    own = front_end_of(module)
    bad = []
    for name in sorted(imports):
        target = front_end_of(name)
        if target is None or target == own:
            continue
        if own is None:
            bad.append(f"{module} (core) imports the front end {name}")
        elif target not in ALLOWED[own]:
            bad.append(f"{module} (front end {own}) imports the front end {name}")
    return bad


def all_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_rules_hold_for_every_module() -> None:
    modules = all_modules()
    assert len(modules) > 40, "the package was not found"
    problems = []
    for path in modules:
        module = _module_name(path)
        problems += violations(module, imported_modules(path.read_text(), module))
    assert problems == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("assistant.core", "from assistant.web.app import launch"),
        ("assistant.answer.pipeline", "def f():\n    import assistant.slack.bot\n"),
        ("assistant.index.indexer", "from assistant import cli"),
        ("assistant.web.handlers", "from assistant.slack.blocks import PLACEHOLDER_TEXT"),
        ("assistant.slack.bot", "from assistant.web import render"),
        ("assistant.web.app", "from assistant.cli.common import fail"),
        ("assistant.slack.server", "from ..cli import main"),
    ],
)
def test_a_forbidden_import_is_caught(module: str, source: str) -> None:
    assert violations(module, imported_modules(source, module)) != []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("assistant.cli.web_commands", "from assistant.web.app import launch"),
        ("assistant.cli.slack_commands", "from assistant.slack.bot import build_slack_app"),
        ("assistant.web.app", "from assistant.web import render\nfrom assistant.core import A"),
        ("assistant.slack.bot", "from assistant.feedback import FeedbackStore"),
    ],
)
def test_an_allowed_import_passes(module: str, source: str) -> None:
    assert violations(module, imported_modules(source, module)) == []
