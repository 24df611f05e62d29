"""The architecture's doors, checked: the import contracts (the engine never imports a
module, modules build on each other one way, no cycles), role names only in the access
layer and the JSON, no duck-typed system check, and raw database access in the modules only
through the platform's one named door (``site.unguarded``)."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINE = [p for d in ("app", "admin") for p in (ROOT / d).rglob("*.py")]
MODULES = list((ROOT / "doctypes").rglob("*.py"))


def test_the_import_contracts_hold():
    run = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def _role_names() -> set[str]:
    roles = json.loads((ROOT / "fixtures" / "role.json").read_text())["records"]
    return {r["name"] for r in roles}


def test_no_role_name_outside_the_access_layer():
    """Code asks for capabilities (``ctx.access.can``); which roles hold them is data."""
    names = _role_names()
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    pattern = re.compile(rf"""["']({alternatives})["']""")
    found = []
    for path in ENGINE + MODULES:
        if path == ROOT / "app" / "access.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line) and not line.lstrip().startswith("#"):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_no_duck_typed_system_check():
    pattern = re.compile(r"""getattr\([\w.]*access, ["'](roles|mdos|_grant)["']|hasattr\([\w.]*access, ["'](roles|mdos)["']""")
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in ENGINE + MODULES
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


def test_modules_reach_the_raw_database_only_through_the_named_door():
    """``site.db`` / ``store.db`` are the engine's; a module reads what users may see through
    the access layer (lifecycle, query) and its own bookkeeping through ``site.unguarded``."""
    pattern = re.compile(r"\.(db|store)\b(?!_)")
    found = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
        for p in MODULES
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


def test_every_module_declares_what_it_adds_in_one_place():
    for folder in (ROOT / "doctypes").iterdir():
        if folder.is_dir() and (folder / "__init__.py").exists():
            assert (folder / "module.py").exists(), f"{folder.name} has no module.py"
