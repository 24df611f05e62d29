"""Every third-party module the project imports is declared in pyproject.toml.

A clean install gets only what is declared (and locked in requirements.lock); a module that
arrives only as some other package's dependency can vanish with that package's next release.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("app", "admin", "doctypes", "scripts", "tests")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> dict[str, set[str]]:
    """Declared distributions: {"": required ones, extra: that extra's}."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    groups = {"": project.get("dependencies", []), **project.get("optional-dependencies", {})}
    return {k: {_norm(re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0]) for d in v} for k, v in groups.items()}


def _imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0], node.lineno


def _third_party():
    local = {p.name for p in ROOT.iterdir() if p.is_dir()}
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for top, line in _imports(path):
                if top in sys.stdlib_module_names or top in local or top == "__future__":
                    continue
                yield path.relative_to(ROOT), line, top


def test_every_imported_package_is_declared():
    declared = _declared()
    runtime = declared[""]
    everything = set().union(*declared.values())
    dists = packages_distributions()
    missing = []
    for path, line, top in _third_party():
        provided = {_norm(d) for d in dists.get(top, [])}
        # The product's own code may use only what a plain install brings; tests and
        # scripts may also use the extras.
        allowed = everything if path.parts[0] in ("tests", "scripts") else runtime
        if not provided:
            missing.append(f"{path}:{line}: {top} is not installed (declare the package that provides it)")
        elif not provided & allowed:
            missing.append(f"{path}:{line}: {top} comes from {', '.join(sorted(provided))}, not declared")
    assert not missing, "imported but not declared in pyproject.toml:\n" + "\n".join(missing)


def test_lock_file_pins_every_declared_package():
    """requirements.lock is what CI installs: each declared package is pinned there."""
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {_norm(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==", lock, re.M)}
    wanted = set().union(*_declared().values())
    assert wanted <= pinned, f"not pinned in requirements.lock: {sorted(wanted - pinned)} (run the README's lock command)"
