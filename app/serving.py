"""`igot serve`: one process with threads, or several processes on one listening socket.

Python runs one thread at a time in a process, so a server's threads share one core. With
``--workers N`` the parent binds the socket once and starts N worker processes (a fresh
interpreter each, which opens the store itself); they all accept from that socket, and a
busy worker leaves new connections to an idle one. The parent does the background work (the
job queue's worker, recovery, the minute's schedule) and restarts a worker that dies. On the
embedded store every write holds the data directory's write lock and every cached list and
lookup notices another process's commit (``app.store.patches.data_version``), so the
workers agree; see the README ("Several processes") for what that costs under writes.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import threading
import time


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def _worker(config, sock: socket.socket, threads: int) -> None:
    """One worker process: its own store connection, serving from the shared socket."""
    import waitress

    from app.site import Site
    from app.web import create_app

    site = Site(config)
    server = waitress.create_server(create_app(site=site), sockets=[sock], threads=threads)
    read_ahead(site)  # before it accepts: meanwhile the other workers take the requests
    signal.signal(signal.SIGTERM, lambda *_: server.close())
    try:
        server.run()
    except OSError:  # closed by SIGTERM
        pass
    finally:
        site.close()


def read_ahead(site) -> None:
    """The most read lists of big collections read ahead (``app.query.warm``), so that no
    request waits seconds for them; says on stderr what was read and how long it took."""
    import sys

    from app import query

    started = time.monotonic()
    try:
        warmed = query.warm(site)
    except Exception as exc:  # noqa: BLE001 - reading ahead is an optimisation: a request reads what it needs
        print(f"reading ahead failed ({exc}); the first requests read what they need", file=sys.stderr, flush=True)
        return
    if warmed:
        print(f"read ahead: {', '.join(warmed)} in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)


class Workers:
    """N worker processes on one socket, restarted if one dies, stopped together."""

    def __init__(self, config, sock: socket.socket, workers: int, threads: int):
        self.config, self.sock, self.count, self.threads = config, sock, workers, threads
        self._context = multiprocessing.get_context("spawn")
        self.processes: list = []
        self._stopping = threading.Event()

    def _start_one(self):
        process = self._context.Process(target=_worker, args=(self.config, self.sock, self.threads), name="igot-web", daemon=True)
        process.start()
        return process

    def start(self) -> Workers:
        self.processes = [self._start_one() for _ in range(self.count)]
        return self

    def supervise(self, every: float = 1.0) -> None:
        """Until stopped: a worker that exited is started again (at most once a second)."""
        while not self._stopping.wait(every):
            for i, process in enumerate(self.processes):
                if not process.is_alive() and not self._stopping.is_set():
                    self.processes[i] = self._start_one()

    def stop(self, grace: float = 10.0) -> None:
        self._stopping.set()
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + grace
        for process in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
        self.sock.close()


def serve_workers(config, host: str, port: int, workers: int, threads: int) -> None:
    """Bind, start the workers, and supervise them until SIGINT or SIGTERM."""
    pool = Workers(config, listening_socket(host, port), workers, threads).start()

    def stop(*_):
        pool._stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        pool.supervise()
    finally:
        pool.stop()
