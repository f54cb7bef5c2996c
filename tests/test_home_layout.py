"""The content app's shape: small modules, arrows one way (read from the source, not run)."""

import ast
from pathlib import Path

import pytest

HOME = Path(__file__).resolve().parent.parent / "home"
# Modules the page models import: they must not import the models back (an import cycle).
BELOW_THE_MODELS = ["signatories.py", "privacy.py", "networks.py", "countries.py", "links.py"]


def runtime_imports(path: Path) -> set[str]:
    """Modules `path` (a file under home/) imports when it runs: see `imports_of`."""
    package = ".".join(path.relative_to(HOME.parent).with_suffix("").parts[:-1])
    return imports_of(path.read_text(), package)


def imports_of(source: str, package: str) -> set[str]:
    """Modules (and names in them) `source`, a module of `package`, imports when it runs:
    absolute, relative imports resolved, imports under `if TYPE_CHECKING:` left out."""
    tree = ast.parse(source)
    skipped = {
        id(node)
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
        for child in branch.body
        for node in ast.walk(child)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("name", BELOW_THE_MODELS)
def test_what_the_models_import_does_not_import_them(name):
    imported = runtime_imports(HOME / name)
    assert not {m for m in imported if m == "home.models" or m.startswith("home.models.")}


def test_the_models_import_none_of_what_imports_them():
    for path in (HOME / "models").glob("*.py"):
        imported = runtime_imports(path)
        assert not {"home.letters", "home.i18n"} & imported, path


def test_content_never_imports_the_pipeline():
    for path in HOME.rglob("*.py"):
        imported = runtime_imports(path)
        assert not {m for m in imported if m.split(".")[0] == "publishing"}, path


# Data, not logic: the demo's strings in three languages; and generated migrations.
NOT_CODE = ("demo/content.py", "migrations/")


def test_content_modules_stay_small():
    sizes = {
        str(path.relative_to(HOME)): len(path.read_text().splitlines())
        for path in HOME.rglob("*.py")
        if not str(path.relative_to(HOME)).startswith(NOT_CODE)
    }
    assert max(sizes.values()) <= 400, sorted(sizes.items(), key=lambda item: -item[1])[:3]


def test_the_reader_sees_the_imports_that_made_the_cycle():
    # The old home/signatories.py imported the models at the top; the old models imported
    # it back inside methods. Both count; only type-checking imports do not.
    assert "home.models.LetterPage" in imports_of("from .models import LetterPage\n", "home")
    lazy = "def f():\n    from .signatories import resolve_signatories\n"
    assert "home.signatories" in imports_of(lazy, "home")
    typing_only = "if TYPE_CHECKING:\n    from .models import LetterPage\n"
    assert imports_of(typing_only, "home") == set()
