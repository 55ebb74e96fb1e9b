"""integration sits below sessions: sessions calls its hooks, it never imports sessions."""

import ast
from pathlib import Path

import integration
from integration import lookups


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.ImportFrom) and node.module:
        return [node.module]
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return []


def sessions_imports() -> list[tuple[str, str, int]]:
    found = []
    for path in Path(integration.__file__).parent.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        functions = {  # each node's innermost enclosing function
            child: function.name
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef)
            for child in ast.walk(function)
        }
        for node in ast.walk(tree):
            names = _imported(node)
            where = functions.get(node, "<module>")
            if any(n == "sessions" or n.startswith("sessions.") for n in names):
                found.append((path.name, where, node.lineno))
    return found


def test_no_integration_module_imports_the_sessions_app():
    assert sessions_imports() == []


def test_the_sessions_app_registers_its_lookups_at_start_up():
    from sessions.medicine import hold_in_force

    assert lookups._registered["hold_in_force"] is hold_in_force


def test_the_sessions_lookups_answer_once_registered():
    before = dict(lookups._registered)
    lookups.register_sessions_lookups(
        hold_in_force=lambda vitals_id: vitals_id == 1,
        integration_window_hours=lambda clinic_id: 48,
    )
    try:
        assert lookups.hold_in_force(1) and not lookups.hold_in_force(2)
        assert lookups.integration_window_hours(5) == 48
    finally:
        lookups._registered.clear()
        lookups._registered.update(before)
