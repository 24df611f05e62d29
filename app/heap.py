"""How the process's garbage collector is set during bulk work.

Python's cycle collector runs after every few hundred new objects, and now and then walks
every object the process holds: in a server or an import, mostly the embedded store's query
index and the lists read ahead, none of which is ever cyclic garbage. During a large import
those full walks took a tenth of the time, and more the more officers the store held.

``bulk_work()`` sets them aside for its duration: the objects already alive are frozen
(``gc.freeze``: left out of collections, still freed by reference counting as usual), and
young objects are collected ten times less often. On leaving, the outermost one puts both
back, so whatever cyclic garbage the work left is collected as it would have been.
Nested and concurrent uses (two imports in two threads) share one setting: the last to
leave restores it.
"""

from __future__ import annotations

import contextlib
import gc
import threading

YOUNG_EVERY = 10  # young objects collected this many times less often during bulk work

_lock = threading.Lock()
_held = 0
_saved: tuple | None = None  # (thresholds, froze) of the outermost bulk_work


@contextlib.contextmanager
def bulk_work():
    global _held, _saved
    with _lock:
        if _held == 0:
            thresholds = gc.get_threshold()
            froze = gc.isenabled() and gc.get_freeze_count() == 0
            if froze:
                gc.freeze()
            gc.set_threshold(thresholds[0] * YOUNG_EVERY, *thresholds[1:])
            _saved = (thresholds, froze)
        _held += 1
    try:
        yield
    finally:
        with _lock:
            _held -= 1
            if _held == 0 and _saved is not None:
                thresholds, froze = _saved
                gc.set_threshold(*thresholds)
                if froze:
                    gc.unfreeze()
                _saved = None
