"""The igot command, on the embedded store."""

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
