"""Each doctype's controller: the class beside its JSON (``doctypes/organisation/officer/
officer.py`` defines ``class Officer(Document)``), or ``Document`` itself. The meta describes
doctypes; this attaches their behaviour, and checks that every document action the meta
declares has its method."""

from __future__ import annotations

import importlib.util
import sys

from app.errors import MetaError
from app.meta import DocTypeMeta, Registry
from app.meta import load_registry as load_definitions
from app.model.document import Document


def load_registry(paths) -> Registry:
    """The doctypes under ``paths``, with their controllers attached."""
    return attach(load_definitions(paths))


def attach(registry: Registry) -> Registry:
    for meta in registry:
        if meta.controller_class is None:
            meta.controller_class = _load(meta) or Document
        for action in meta.actions:
            if not hasattr(meta.controller_class, f"action_{action['name']}"):
                raise MetaError(
                    f"{meta.source}: actions: {action['name']!r} needs a method action_{action['name']} "
                    f"on the controller ({meta.source.with_suffix('.py').name})"
                )
    return registry


def _load(meta: DocTypeMeta):
    path = meta.source.with_suffix(".py")
    if not path.exists():
        return None
    # loaded by path, under a name of its own: a doctype folder in a package (the modules') or
    # not (tests/doctypes); the import contracts read them as the packages' modules
    module_name = f"igot_doctypes.{path.parent.name}"
    module = sys.modules.get(module_name)
    if module is None or getattr(module, "__file__", None) != str(path):
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return _controller_class(meta, module, path)


def _controller_class(meta, module, path):
    class_name = meta.name.replace(" ", "")
    controller = getattr(module, class_name, None)
    if controller is None:
        raise MetaError(f"{path}: controller class {class_name!r} not found")
    return controller
