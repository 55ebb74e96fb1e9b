"""The core package builds on nothing of the domain apps (they build on it)."""

import ast
from pathlib import Path

import kapcouples

DOMAIN_APPS = {"intake", "sessions", "integration"}
# The root URLconf wires every app's pages together; it is the one place allowed to.
ALLOWED = {"urls.py"}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_core_package_imports_no_domain_app():
    root = Path(kapcouples.__file__).parent
    offenders = {
        str(path.relative_to(root)): sorted(
            m for m in _imported_modules(path) if m.split(".")[0] in DOMAIN_APPS
        )
        for path in root.rglob("*.py")
        if path.name not in ALLOWED and "migrations" not in path.parts
    }
    assert {name: modules for name, modules in offenders.items() if modules} == {}


# The apps built on sessions: sessions hears from them only through what they register at
# start-up (maintenance's booster rules: `sessions.boosters`).
ABOVE_SESSIONS = {"maintenance", "athome", "groups", "waitlist"}


def test_sessions_imports_no_app_built_on_it():
    root = Path(kapcouples.__file__).parent.parent / "sessions"
    offenders = {
        str(path.relative_to(root)): sorted(
            m for m in _imported_modules(path) if m.split(".")[0] in ABOVE_SESSIONS
        )
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {name: modules for name, modules in offenders.items() if modules} == {}
