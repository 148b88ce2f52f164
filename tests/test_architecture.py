"""The package's layout holds: imports go one way, with no cycle, lazy or not, and Scrapy stays inside the crawl.

Every import statement counts, including those inside functions: a lazy import
hides a cycle from the interpreter, not from a reader.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROOTS = {"newsarchive": REPO / "newsarchive", "newsarchive.spiders": REPO / "spiders",
         "newsarchive.pipelines": REPO / "pipelines"}
#: folders whose modules must never import Scrapy (or Twisted): they serve offline commands too
NO_SCRAPY = ("newsarchive.site", "newsarchive.parser", "newsarchive.store", "newsarchive.archive",
             "newsarchive.tools", "newsarchive.search", "newsarchive.replay", "newsarchive.wacz",
             "newsarchive.web")


def modules() -> dict[str, Path]:
    found = {}
    for package, root in ROOTS.items():
        for path in root.rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> Iterator[str]:
    """Names of the project's modules (and external top-level packages) that `name` imports anywhere."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known and "." in target:
                target = target.rsplit(".", 1)[0]
            yield target


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: {t for t in imports(name, path, known) if t in known and t != name} for name, path in mods.items()}


def external(name: str) -> set[str]:
    path = modules()[name]
    return {t.split(".")[0] for t in imports(name, path, set(modules()))}


def test_no_import_cycles_lazy_or_not() -> None:
    edges = graph()
    # a package's __init__ re-exporting its own modules is not a cycle of design
    edges = {m: {t for t in ts if not (m.startswith(t + ".") and t in edges)} for m, ts in edges.items()}
    seen: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if seen.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[node] = 2

    for node in sorted(edges):
        if node not in seen:
            visit(node)
    assert cycles == []


def test_offline_code_never_imports_scrapy() -> None:
    offenders = {name: external(name) & {"scrapy", "twisted", "scrapy_redis"}
                 for name in modules() if name.startswith(NO_SCRAPY)}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_crawl_never_imports_an_offline_tool_nor_the_cli() -> None:
    edges = graph()
    crawl = [m for m in edges if m.startswith(("newsarchive.crawl", "newsarchive.spiders", "newsarchive.pipelines"))]
    bad = {m: sorted(t for t in edges[m] if t.startswith(("newsarchive.tools", "newsarchive.cli", "newsarchive.search")))
           for m in crawl}
    assert {m: targets for m, targets in bad.items() if targets} == {}


def test_only_the_command_line_maps_errors_to_exit_codes() -> None:
    """Library code raises errors (newsarchive.errors); `exit_code_for` is called by the CLI and the crawl's verdict."""
    callers = {name for name, path in modules().items() if "exit_code_for(" in path.read_text(encoding="utf-8")}
    assert callers <= {"newsarchive.exitcodes", "newsarchive.cli", "newsarchive.crawl.run"}


def test_the_web_app_reads_through_the_library_never_the_crawl_nor_the_cli() -> None:
    """The reading room asks newsarchive.search (and tools, archive) like the CLI does: no second implementation."""
    edges = graph()
    bad = {m: sorted(t for t in edges[m] if t.startswith(("newsarchive.crawl", "newsarchive.cli", "newsarchive.spiders",
                                                          "newsarchive.pipelines")))
           for m in edges if m.startswith("newsarchive.web")}
    assert {m: targets for m, targets in bad.items() if targets} == {}
