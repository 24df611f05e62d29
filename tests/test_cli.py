"""The igot command, on the embedded store."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from app import cli


@pytest.fixture
def runner(tmp_path, monkeypatch):
    monkeypatch.setenv("IGOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MONGODB_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def test_init_is_idempotent(runner):
    first = runner.invoke(cli.main, ["init"])
    assert first.exit_code == 0, first.output
    assert "fixtures MDO: 33 inserted" in first.output
    second = runner.invoke(cli.main, ["init"])
    assert "fixtures MDO: 0 inserted, 0 updated, 33 unchanged" in second.output


def test_import_reports_bad_rows_and_exit_code(runner, tmp_path):
    runner.invoke(cli.main, ["init"])
    path = tmp_path / "officers.csv"
    path.write_text(
        "full_name,email,service,group,mdo\n"
        "Asha Rao,asha@gov.in,IAS,A,Ministry of Power\n"
        "Nobody,nobody@gov.in,IAS,A,Ministry of Magic\n"
    )
    result = runner.invoke(cli.main, ["import", "Officer", str(path)])
    assert result.exit_code == 1
    assert "line 3: mdo: MDO 'Ministry of Magic' does not exist." in result.output
    assert "1 imported, 1 rejected of 2 rows" in result.output
    exported = runner.invoke(cli.main, ["export", "Officer", "--format", "json"])
    assert [o["email"] for o in json.loads(exported.output)] == ["asha@gov.in"]


def test_import_writes_the_rejected_rows_and_updates_only_when_asked(runner, tmp_path):
    runner.invoke(cli.main, ["init"])
    path = tmp_path / "staff.csv"
    path.write_text("Name,Email,Group,Designation\nAsha Rao,asha@gov.in,A,Under Secretary\nNo Email,,A,Clerk\n", encoding="utf-8")
    first = runner.invoke(cli.main, ["import", "Officer", str(path), "--mdo", "Ministry of Power"])
    assert first.exit_code == 1 and "1 imported, 1 rejected of 2 rows" in first.output
    rejected = list(csv.reader(io.StringIO((tmp_path / "staff-rejected.csv").read_text(encoding="utf-8"))))
    assert rejected[0] == ["line", "errors", "Name", "Email", "Group", "Designation"]
    assert rejected[1][:3] == ["3", "Email: Missing data for required field.", "No Email"]
    path.write_text("Name,Email,Group,Designation\nAsha Rao,ASHA@gov.in,A,Deputy Secretary\n", encoding="utf-8")
    again = runner.invoke(cli.main, ["import", "Officer", str(path), "--mdo", "Ministry of Power"])
    assert again.exit_code == 1 and "choose to update existing records" in again.output
    updated = runner.invoke(cli.main, ["import", "Officer", str(path), "--mdo", "Ministry of Power", "--update"])
    assert updated.exit_code == 0, updated.output
    assert "0 imported, 1 updated, 0 rejected of 1 rows" in updated.output
    exported = json.loads(runner.invoke(cli.main, ["export", "Officer", "--format", "json"]).output)
    assert [(o["email"], o["designation"]) for o in exported] == [("asha@gov.in", "Deputy Secretary")]


def test_import_with_a_misnamed_column_names_the_nearest_and_stores_nothing(runner, tmp_path):
    runner.invoke(cli.main, ["init"])
    path = tmp_path / "staff.csv"
    path.write_text("Name,Email,Group,Year of Allotment\nAsha Rao,asha@gov.in,A,2012\n", encoding="utf-8")
    result = runner.invoke(cli.main, ["import", "Officer", str(path), "--mdo", "Ministry of Power"])
    assert result.exit_code == 1
    assert 'Column "Year of Allotment" is not known: did you mean "Year of Allotment / Joining"?' in result.output
    assert json.loads(runner.invoke(cli.main, ["export", "Officer", "--format", "json"]).output) == []


def test_export_unknown_doctype_is_a_clear_error(runner):
    result = runner.invoke(cli.main, ["export", "Ofiser"])
    assert result.exit_code == 1 and "DocType 'Ofiser' does not exist" in result.output


def test_export_fixtures_writes_file(runner, tmp_path):
    runner.invoke(cli.main, ["init"])
    out = tmp_path / "mdo.json"
    result = runner.invoke(cli.main, ["export-fixtures", "MDO", "-o", str(out)])
    assert result.exit_code == 0
    assert len(json.loads(out.read_text())["records"]) == 33


def test_shell_binds_db_to_the_same_database(runner):
    runner.invoke(cli.main, ["init"])
    result = runner.invoke(cli.main, ["shell"], input="print('mdos', db.mdo.count_documents({}))\n")
    assert result.exit_code == 0 and "mdos 33" in result.output


def test_the_read_only_shell_takes_python_blocks_piped_in(runner, tmp_path):
    """An analyst loops over a cursor and defines a helper: each open block waits for its
    next line, as in the standard console; the mongosh hint is for what cannot be Python."""
    import os
    import subprocess
    import sys

    from app.config import ROOT

    assert runner.invoke(cli.main, ["init"]).exit_code == 0
    typed = (
        "for mdo in db.mdo.find({'mdo_type': 'Ministry'}).limit(3):\n"
        "    print('looped', mdo['_id'])\n"
        "\n"
        "def count(name):\n"
        "    found = db.mdo.count_documents({'_id': name})\n"
        "    return found\n"
        "\n"
        "print('counted', count('Ministry of Power'))\n"
        "db.mdo.find().forEach(m => printjson(m))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MONGODB_URI"} | {"IGOT_DATA_DIR": str(tmp_path / "var")}
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "shell", "--read-only"],
        input=typed,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    out, err = done.stdout, done.stderr
    assert done.returncode == 0, err
    assert out.count("looped Ministry of") == 3 and "counted 1" in out, (out, err)
    assert err.count("This shell speaks Python") == 1, err  # only the mongosh line
    assert "SyntaxError" not in err and "Traceback" not in err, err


@pytest.fixture
def served(runner, monkeypatch):
    """``igot serve`` up to the point it would start waitress: the app it would serve."""
    import waitress

    apps = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: apps.append((app, kw)))
    monkeypatch.setattr(cli, "_start_worker", lambda site: None)
    monkeypatch.setattr(cli, "_recover", lambda site: None)
    monkeypatch.delenv("IGOT_PUBLIC_URL", raising=False)
    return apps


def test_serve_links_to_the_address_it_serves_on(runner, served):
    """The setup link, and every link the process makes (mails, QR codes), lead to the port
    that is served, not to 8000."""
    from app import accounts

    result = runner.invoke(cli.main, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/admin/setup/" in result.output and "localhost:8000" not in result.output
    ((app, kw),) = served
    site = app.extensions["igot_site"]
    assert kw["port"] == 8123 and site.config.public_url == "http://127.0.0.1:8123"
    assert accounts.url(site, "t", "reset") == "http://127.0.0.1:8123/password-link/t"
    assert "IGOT_PUBLIC_URL" not in result.output  # nothing to warn about


def test_serve_on_every_address_links_to_this_machine(runner, served):
    import socket

    result = runner.invoke(cli.main, ["serve", "--host", "0.0.0.0", "--port", "8124"])
    assert result.exit_code == 0, result.output
    assert f"http://{socket.gethostname()}:8124/admin/setup/" in result.output and "0.0.0.0:8124/admin" not in result.output
    assert "IGOT_CONTENT_URL is not set, so SCORM packages are not played" in result.output  # no address of their own


def test_serve_warns_when_packages_have_no_address_of_their_own(runner, served, monkeypatch):
    monkeypatch.setenv("IGOT_PUBLIC_URL", "https://learn.example.gov.in")
    monkeypatch.setenv("IGOT_CONTENT_URL", "https://learn.example.gov.in")
    assert "is the portal's own address: SCORM packages are not played" in runner.invoke(cli.main, ["serve"]).output
    monkeypatch.setenv("IGOT_CONTENT_URL", "https://content.example.gov.in")
    assert "SCORM packages are not played" not in runner.invoke(cli.main, ["serve"]).output
    monkeypatch.delenv("IGOT_PUBLIC_URL")
    monkeypatch.delenv("IGOT_CONTENT_URL")
    assert "IGOT_CONTENT_URL" not in runner.invoke(cli.main, ["serve"]).output  # 127.0.0.1: packages on localhost


def test_serve_warns_when_the_public_url_is_another_address(runner, served, monkeypatch):
    monkeypatch.setenv("IGOT_PUBLIC_URL", "https://igot.example.gov.in/")
    result = runner.invoke(cli.main, ["serve", "--port", "8125"])
    assert result.exit_code == 0, result.output
    assert "https://igot.example.gov.in/admin/setup/" in result.output
    assert "IGOT_PUBLIC_URL is https://igot.example.gov.in, but this server listens on http://127.0.0.1:8125" in result.output
    ((app, _kw),) = served
    assert app.extensions["igot_site"].config.public_url == "https://igot.example.gov.in"
    monkeypatch.setenv("IGOT_PUBLIC_URL", "http://127.0.0.1:8125")
    assert "IGOT_PUBLIC_URL is" not in runner.invoke(cli.main, ["serve", "--port", "8125"]).output
