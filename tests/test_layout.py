"""The shape of the code: stages import one way, the top level stays small, no module grows past 400 lines.

Imports are read from the source with ``ast``, those inside functions and ``TYPE_CHECKING`` blocks
included, so a lazy import cannot slip a dependency past these rules.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.paths import REPO

PACKAGE = REPO / "studycards"
MAX_LINES = 400
MAX_TOP_LEVEL_FILES = 8


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(path: Path, name: str | None = None) -> list[tuple[str, tuple[str, ...], int]]:
    """Each import in the file as (module, names taken from it, line); relative imports made absolute.

    ``name`` is the file's module name (by default, found from where it sits in the repository).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, (), node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, tuple(alias.name for alias in node.names), node.lineno))
    return found


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def imports_of(package: str) -> list[tuple[str, str, tuple[str, ...], int]]:
    """(importing module, imported module, names, line) for every import made by modules of ``package``."""
    return [
        (name, target, names, line)
        for name, path in modules().items()
        if within(name, package)
        for target, names, line in imported(path)
    ]


def test_nothing_below_the_cli_imports_it():
    offending = [
        f"{name}:{line} imports {target}"
        for name, path in modules().items()
        if not within(name, "studycards.cli") and name != "studycards.__main__"
        for target, names, line in imported(path)
        if within(target, "studycards.cli") or (target == "studycards" and "cli" in names)
    ]
    assert offending == []


@pytest.mark.parametrize("later", ["studycards.review", "studycards.anki"])
def test_the_store_never_imports_a_later_stage(later):
    offending = [f"{name}:{line} imports {target}" for name, target, _, line in imports_of("studycards.store")]
    assert [entry for entry in offending if within(entry.rpartition(" imports ")[2], later)] == []


def paper_exports() -> set[str]:
    """The names ``studycards/paper/__init__.py`` offers other stages: its ``__all__``, else nothing."""
    tree = ast.parse((PACKAGE / "paper" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


NOTES_MODULES = sorted(name for name in modules() if within(name, "studycards.notes"))


@pytest.mark.parametrize("name", NOTES_MODULES)
def test_notes_reach_the_paper_stage_only_through_what_its_package_exports(name):
    exports = paper_exports()
    offending = [
        f"{name}:{line} imports {target} {names}"
        for target, names, line in imported(modules()[name])
        if within(target, "studycards.paper") and (target != "studycards.paper" or not set(names) <= exports)
    ]
    assert offending == []


def test_the_top_level_holds_few_files():
    files = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(files) <= MAX_TOP_LEVEL_FILES, files


@pytest.mark.parametrize("relative", sorted(path.relative_to(REPO).as_posix() for path in PACKAGE.rglob("*.py")))
def test_no_module_is_longer_than_400_lines(relative):
    lines = len((REPO / relative).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{relative} has {lines} lines"


def test_the_import_reader_sees_lazy_and_relative_imports(tmp_path):
    """The rules above are only as good as the reader: an import inside a function and a relative one count."""
    source = tmp_path / "probe.py"
    source.write_text("def later():\n    from ..review import session\n    import studycards.cli\n")
    assert imported(source, "studycards.store.probe") == [
        ("studycards.review", ("session",), 2),
        ("studycards.cli", (), 3),
    ]


def test_every_test_marked_slow_by_name_exists():
    """``SLOW`` in conftest names tests by file and name: a renamed test must not drop out of it unnoticed."""
    from tests.conftest import SLOW

    for entry in SLOW:
        path, _, name = entry.partition("::")
        assert (REPO / path).is_file(), entry
        if name:
            tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
            defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
            assert name.partition("[")[0] in defined, entry


def test_what_the_user_reads_is_worded_in_the_cli():
    """The core returns data; functions that word it for the terminal (``*_text``) live in ``studycards.cli``.

    ``plain_text`` is the LaTeX reader turning markup into prose, not output, so it stays where it is.
    """
    wording = [
        f"{name}.{node.name}"
        for name, path in modules().items()
        if not within(name, "studycards.cli")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and node.name.endswith("_text") and node.name != "plain_text"
    ]
    assert wording == []


def test_the_plural_rule_is_written_once():
    """``1 card`` / ``2 cards`` comes from ``studycards.text.plural`` everywhere, so no two outputs disagree."""
    pattern = re.compile(r"""(['"])s\1 if |else (['"])s\2""")
    copies = [
        f"{path.relative_to(REPO)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert copies == ["studycards/text.py:8"]


SYNC_MAY_IMPORT = ("studycards.sync", "studycards.store", "studycards.sm2", "studycards.models", "studycards.errors")
SYNC_MAY_IMPORT_FROM_REVIEW = ("studycards.review.rules", "studycards.review.records")


def test_sync_comes_after_the_store_and_the_review_rule_and_only_the_cli_calls_it():
    """The replay reuses the session's rule (``review.rules``), never the session; nothing but the CLI runs a sync."""
    reaches = [
        f"{name}:{line} imports {target}"
        for name, target, _, line in imports_of("studycards.sync")
        if within(target, "studycards")
        and not any(within(target, allowed) for allowed in SYNC_MAY_IMPORT + SYNC_MAY_IMPORT_FROM_REVIEW)
    ]
    callers = [
        f"{name}:{line} imports {target}"
        for name, path in modules().items()
        if not within(name, "studycards.sync") and not within(name, "studycards.cli")
        for target, _, line in imported(path)
        if within(target, "studycards.sync")
    ]
    assert reaches == [] and callers == []
