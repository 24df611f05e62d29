"""``app.heap.bulk_work``: during bulk work the cycle collector leaves the objects already alive
aside and collects young objects less often; afterwards the process is as it was."""

import gc
import threading

import pytest

from app import heap, install
from app.model import lifecycle
from app.site import Site

from .conftest import make_config


@pytest.fixture
def collector():
    """The collector as a fresh process has it, put back afterwards."""
    thresholds, enabled = gc.get_threshold(), gc.isenabled()
    gc.unfreeze()
    gc.enable()
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()
    (gc.enable if enabled else gc.disable)()


def test_bulk_work_sets_the_long_lived_objects_aside_and_puts_everything_back(collector):
    kept = [{"n": i} for i in range(1000)]
    thresholds = gc.get_threshold()
    with heap.bulk_work():
        assert gc.get_freeze_count() >= len(kept)
        assert gc.get_threshold() == (thresholds[0] * heap.YOUNG_EVERY, *thresholds[1:])
        made = [[] for _ in range(100)]
        assert gc.is_tracked(made[0])
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds


def test_cyclic_garbage_left_by_bulk_work_is_collected_afterwards(collector):
    import weakref

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a
    watched = weakref.ref(a)
    with heap.bulk_work():  # a and b are alive as it starts: set aside
        del a, b
        gc.collect()
        assert watched() is not None
    gc.collect()
    assert watched() is None


def test_nested_and_concurrent_bulk_work_restores_once_the_last_leaves(collector):
    thresholds = gc.get_threshold()
    inside, leave = threading.Event(), threading.Event()

    def other():
        with heap.bulk_work():
            inside.set()
            leave.wait(10)

    with heap.bulk_work():
        worker = threading.Thread(target=other)
        worker.start()
        inside.wait(10)
        with heap.bulk_work():
            pass
        assert gc.get_freeze_count() > 0  # the inner one left, the outer ones still work
    assert gc.get_freeze_count() > 0 and gc.get_threshold() != thresholds  # the thread still works
    leave.set()
    worker.join(10)
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == thresholds


def test_what_the_process_froze_itself_stays_frozen(collector):
    gc.freeze()
    frozen = gc.get_freeze_count()
    with heap.bulk_work():
        pass
    assert gc.get_freeze_count() >= frozen > 0


def test_a_batch_insert_runs_as_bulk_work(tmp_path, collector, monkeypatch):
    site = Site(make_config("mongomock", tmp_path))
    install.init(site)
    seen = []
    original = lifecycle._insert_batch
    monkeypatch.setattr(lifecycle, "_insert_batch", lambda *a: (seen.append(gc.get_freeze_count()), original(*a)))
    ctx = site.context()
    rows = [{"position_name": f"Section Officer {i}", "mdo": "Ministry of Power", "group": "B"} for i in range(3)]
    assert all(not isinstance(r, Exception) for r in lifecycle.insert_many(ctx, "Position", rows))
    assert seen and all(n > 0 for n in seen)
    assert gc.get_freeze_count() == 0
    site.close()
