"""The package's public surface: a few names importable from ``assistant`` itself."""

from __future__ import annotations

import subprocess
import sys

import assistant


def test_the_public_names_import_from_the_package() -> None:
    assert set(assistant.__all__) >= {
        "Answer",
        "Assistant",
        "Citation",
        "Filters",
        "Settings",
        "load_settings",
    }
    for name in assistant.__all__:
        assert getattr(assistant, name).__name__ == name
    from assistant import Assistant, load_settings
    from assistant.core import Assistant as Deep

    assert Assistant is Deep and callable(load_settings)


def test_importing_the_package_loads_no_heavy_library() -> None:
    """``import assistant`` (what ``assistant --help`` does first) must stay cheap."""
    code = (
        "import sys, assistant; heavy = {'torch', 'chromadb', 'langchain_core', 'pydantic'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_public_name_has_a_lazy_loader() -> None:
    assert sorted(assistant._EXPORTS) == sorted(assistant.__all__)
