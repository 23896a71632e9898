"""The house's measures (issue 15): modules over 400 lines, import cycles, imports written inside
functions, `date.today()` calls and status strings compared outside the state machines.

    python tools/house.py            # the counts, and what each one is made of
    python tools/house.py --check    # exit 1 when a constraint does not hold

tests/test_house.py asserts the same constraints, so that CI keeps them.
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "qualirepar"
MAX_LINES = 400
MAX_LATE_IMPORTS = 30
# The factory wires blueprints and CLI commands: its imports inside create_app may stay (issue 15).
FACTORY = PACKAGE / "__init__.py"
STATE_MODULES = {"states.py"}
STATUS_COMPARISON = re.compile(r"""\.status\s*(?:==|!=)\s*["']|\.status\s+(?:not\s+)?in\s+[(\[{]\s*["']""")


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _package_of(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _in_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _top_imports(tree: ast.Module):
    """Imports run when the module is imported: at top level, in try/if blocks, not under TYPE_CHECKING."""
    stack = list(tree.body)
    while stack:
        node = stack.pop(0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and not _in_type_checking(node):
            stack[:0] = node.body + node.orelse
        elif isinstance(node, ast.Try):
            stack[:0] = node.body + node.orelse + node.finalbody + [h for hd in node.handlers for h in hd.body]


def _targets(node, name: str, path: Path, known: dict[str, Path]) -> set[str]:
    out = set()
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name in known:
                out.add(alias.name)
        return out
    base = node.module or ""
    if node.level:
        pkg = _package_of(name, path).split(".")
        pkg = pkg[: len(pkg) - (node.level - 1)]
        base = ".".join(pkg + ([node.module] if node.module else []))
    for alias in node.names:
        full = f"{base}.{alias.name}"
        if full in known:
            out.add(full)
        elif base in known:
            out.add(base)
    return out


def graph(with_late: bool = False) -> dict[str, set[str]]:
    """Module -> modules it imports when imported; `with_late` adds the imports inside functions
    (the cycles they hide appear then)."""
    known = modules()
    edges = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text())
        nodes = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))] if with_late else _top_imports(tree)
        edges[name] = set().union(*(_targets(n, name, path, known) for n in nodes)) - {name}
    return edges


def _is_routes(name: str) -> bool:
    return name.rpartition(".")[2].endswith("routes")


def cycles(with_late: bool = False) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), less the blueprint pattern:
    a package's __init__ that imports its own routes, which import `bp` back."""
    edges = graph(with_late)
    if with_late:  # the factory imports every feature to wire it: not a dependency of theirs
        edges["qualirepar"] = set()
    for name in edges:
        edges[name] = {t for t in edges[name]
                       if not (_is_routes(t) and t.rpartition(".")[0] == name or _is_routes(name) and t == name.rpartition(".")[0])}
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def late_imports(include_factory: bool = False) -> dict[str, int]:
    counts = {}
    for name, path in modules().items():
        if path == FACTORY and not include_factory:
            continue
        n, seen = 0, set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for sub in ast.walk(node):
                    if isinstance(sub, (ast.Import, ast.ImportFrom)) and id(sub) not in seen:
                        seen.add(id(sub))
                        n += 1
        if n:
            counts[name] = n
    return counts


def long_modules() -> dict[str, int]:
    return {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}


def today_calls() -> list[str]:
    out = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "today":
                owner = node.func.value
                if (owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")) == "date":
                    out.append(f"{name}:{node.lineno}")
    return out


def status_literals() -> list[str]:
    """`x.status == "..."` / `x.status in ("...", ...)` outside the state-machine modules."""
    out = []
    for name, path in modules().items():
        if path.name in STATE_MODULES or ".sandbox" in name:
            continue
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            if STATUS_COMPARISON.search(line):
                out.append(f"{name}:{lineno}")
    return out


def report() -> dict:
    late = late_imports()
    return {
        "modules over 400 lines": long_modules(),
        "import cycles": cycles(),
        "cycles hidden by late imports": cycles(with_late=True),
        "late imports (factory excluded)": sum(late.values()),
        "late imports in the factory": late_imports(include_factory=True).get("qualirepar", 0),
        "date.today() calls": today_calls(),
        "status literals outside the machines": status_literals(),
        "_late_by_module": late,
    }


def main(argv: list[str]) -> int:
    r = report()
    for key, value in r.items():
        if key.startswith("_"):
            continue
        count = value if isinstance(value, int) else len(value)
        print(f"{key}: {count}")
        if not isinstance(value, int) and "-v" in argv:
            for item in value.items() if isinstance(value, dict) else value:
                print("   ", item)
    if "-v" in argv:
        print("late imports by module:", ", ".join(f"{k} {v}" for k, v in sorted(r["_late_by_module"].items(), key=lambda kv: -kv[1])))
    if "--check" in argv:
        ok = not r["modules over 400 lines"] and not r["import cycles"] and r["late imports (factory excluded)"] <= MAX_LATE_IMPORTS \
            and not r["date.today() calls"]
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
