"""Data written through the API survives a server restart (embedded store)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(data_dir, port, *options):
    env = {k: v for k, v in os.environ.items() if k != "MONGODB_URI"} | {"IGOT_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return proc
        except OSError:  # refused, or (workers still starting) not answered yet
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read().decode())
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def call(port, method, path, body=None, token=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        method=method,
        data=json.dumps(body).encode() if body else None,
        headers={"Content-Type": "application/json", "Authorization": f"token {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def make_admin(data_dir):
    from app import auth, install
    from app.site import Site

    from .conftest import add_user, make_config

    site = Site(make_config("embedded", data_dir))
    install.init(site)
    token = auth.create_token(site, add_user(site, "dopt.admin@gov.in", ["System Manager"]))
    site.close()
    return token


def test_write_restart_read(tmp_path):
    port = free_port()
    token = make_admin(tmp_path / "var")
    server = start(tmp_path / "var", port)
    try:
        created = call(
            port,
            "POST",
            "/api/resource/Officer",
            {"full_name": "Asha Rao", "email": "asha@gov.in", "service": "IAS", "group": "A", "mdo": "Ministry of Power"},
            token=token,
        )["data"]
        call(port, "PUT", f"/api/resource/Officer/{created['name']}", {"designation": "Director"}, token=token)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    server = start(tmp_path / "var", port)
    try:
        read = call(port, "GET", f"/api/resource/Officer/{created['name']}", token=token)["data"]
        assert read["designation"] == "Director" and read["email"] == "asha@gov.in"
        assert call(port, "GET", "/api/resource/MDO?limit=0", token=token)["total"] == 33
        nxt = call(
            port,
            "POST",
            "/api/resource/Officer",
            {"full_name": "B", "email": "b@gov.in", "service": "IAS", "group": "A", "mdo": "Ministry of Power"},
            token=token,
        )["data"]
        assert int(nxt["name"][-5:]) == int(created["name"][-5:]) + 1  # the counter survived too
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def workers_of(server) -> list[int]:
    """The serving processes ``igot serve --workers`` started (not multiprocessing's helper)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == server.pid and "spawn_main" in cmdline and "resource_tracker" not in cmdline:
            found.append(int(entry))
    return found


def test_several_workers_serve_one_embedded_store_and_a_dead_one_is_replaced(tmp_path):
    """``igot serve --workers 2``: two processes answer from one socket and agree on the data
    (each request on a new connection sees what another wrote, changes to a kept list
    included); a worker that dies is started again and the server keeps answering."""
    port = free_port()
    token = make_admin(tmp_path / "var")
    server = start(tmp_path / "var", port, "--workers", "2", "--threads", "2")
    try:
        deadline = time.time() + 60
        while len(workers_of(server)) < 2 and time.time() < deadline:
            time.sleep(0.2)
        assert len(workers_of(server)) == 2
        officers = "/api/resource/Officer?limit=50&order_by=full_name%20asc&fields=%5B%22full_name%22%5D"
        assert call(port, "GET", officers, token=token)["total"] == 0  # a kept list, in each worker that answers
        names = []
        for i in range(6):
            body = {
                "full_name": f"Officer {i}",
                "email": f"o{i}@gov.in",
                "service": "IAS",
                "group": "A",
                "mdo": "Ministry of Power",
            }
            names.append(call(port, "POST", "/api/resource/Officer", body, token=token)["data"]["name"])
            for _ in range(4):  # new connections: either worker answers
                listed = call(port, "GET", officers, token=token)
                assert [r["full_name"] for r in listed["data"]] == [f"Officer {k}" for k in range(i + 1)]
        call(port, "PUT", f"/api/resource/Officer/{names[0]}", {"full_name": "Zeta Officer"}, token=token)
        for _ in range(6):
            assert [r["full_name"] for r in call(port, "GET", officers, token=token)["data"]][-1] == "Zeta Officer"

        dead = workers_of(server)[0]
        os.kill(dead, signal.SIGKILL)
        deadline = time.time() + 60
        while (dead in workers_of(server) or len(workers_of(server)) < 2) and time.time() < deadline:
            time.sleep(0.2)
        assert dead not in workers_of(server) and len(workers_of(server)) == 2
        for _ in range(6):
            assert call(port, "GET", officers, token=token)["total"] == 6
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert server.returncode == 0
