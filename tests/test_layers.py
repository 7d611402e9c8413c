"""The package's layers import only downward, as `tfgan_suite/__init__.py`
lists them: every `import` of a suite module, at the top of a file or
inside a function, names a module of the same layer or a lower one."""

import ast
import pathlib

import pytest

from tests.conftest import REPO

PACKAGE = pathlib.Path(REPO) / "tfgan_suite"

#: Layers, bottom first: {top-level name under tfgan_suite: layer}.
LAYERS = {
    "compat": 0, "errors": 0, "files": 0,
    "nets": 1, "losses": 1, "augment": 1,
    "data": 2, "plots": 2,
    "models": 3,
    "metrics": 4,
    "serving": 5,
    "runs": 6,
    "training": 7,
    "commands": 8,
}


def _part(dotted):
    """The top-level part of `tfgan_suite.<part>...`, or None."""
    parts = dotted.split(".")
    if parts[0] != "tfgan_suite":
        return None
    return parts[1] if len(parts) > 1 else ""


def imports(path):
    """(line, imported module) of every suite import in `path`, including
    `from tfgan_suite import x` (x a module) and imports inside functions."""
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == "tfgan_suite":
                found += [(node.lineno, f"tfgan_suite.{a.name}")
                          for a in node.names]
            else:
                found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if _part(name)]


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "__init__.py":
            continue  # the package's lazy entry, above every layer.
        yield path


def test_every_module_has_a_layer():
    for path in modules():
        assert path.relative_to(PACKAGE).parts[0].removesuffix(".py") in LAYERS, path


def test_imports_go_downward():
    wrong = []
    for path in modules():
        here = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        for line, name in imports(path):
            there = _part(name)
            if there and LAYERS.get(there, -1) > LAYERS[here]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} ({here}) "
                             f"imports {name} ({there})")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("source, expected", [
    ("from tfgan_suite.training import callbacks\n", ["tfgan_suite.training"]),
    ("def f():\n    from tfgan_suite import runs\n", ["tfgan_suite.runs"]),
    ("import numpy\nimport tfgan_suite.serving.export\n",
     ["tfgan_suite.serving.export"]),
])
def test_the_check_sees_imports(tmp_path, source, expected):
    path = tmp_path / "m.py"
    path.write_text(source)
    assert [name for _, name in imports(path)] == expected
