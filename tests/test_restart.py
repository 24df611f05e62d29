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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(data_dir, port):
    env = {k: v for k, v in os.environ.items() if k != "MONGODB_URI"} | {"IGOT_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return proc
        except (urllib.error.URLError, ConnectionError):
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
