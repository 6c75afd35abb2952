"""``sqm audit verify`` and ``sqm audit head``: output and exit status, in-process and as a real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from sqm.audit.services import chain_head
from sqm.audit.tests.test_chain import append_many, delete_entry, rewind_head, set_changes
from sqm.audit.tests.test_concurrency import child_database_url
from sqm.audit.views import head_json


def run(*args: str) -> str:
    """``call_command("audit", *args)`` in English; its standard output."""
    out = StringIO()
    with translation.override("en"):
        call_command("audit", *args, stdout=out)
    return out.getvalue()


def run_failing(*args: str) -> tuple[CommandError, str]:
    out = StringIO()
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("audit", *args, stdout=out)
    return caught.value, out.getvalue()


# --- in-process ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_prints_length_and_head_of_an_intact_chain() -> None:
    entries = append_many(3)
    out = run("verify")
    assert "Audit chain intact: 3 entries." in out
    assert f"Head: #3 {entries[-1].entry_hash}" in out


@pytest.mark.django_db
def test_verify_of_an_empty_chain_is_intact() -> None:
    assert "Audit chain intact: 0 entries." in run("verify")


@pytest.mark.django_db
def test_verify_of_a_tampered_chain_fails_with_status_1_naming_the_entry() -> None:
    append_many(5)
    set_changes(3, {"status": "forged"})
    error, out = run_failing("verify")
    assert error.returncode == 1
    assert "#3" in str(error)
    assert "Audit chain BROKEN at entry #3." in out
    assert "Reason: Entry #3 was altered: its contents no longer match its hash." in out
    assert "Intact before it: 2 entries" in out


@pytest.mark.django_db
def test_verify_json_output() -> None:
    entries = append_many(2)
    report = json.loads(run("verify", "--json"))
    assert report == {
        "ok": True,
        "length": 2,
        "head_hash": entries[-1].entry_hash,
        "broken_seq": None,
        "reason": "",
        "code": "",
    }
    delete_entry(1)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--json", stdout=out)
    broken = json.loads(out.getvalue())
    assert (broken["ok"], broken["broken_seq"], broken["code"]) == (False, 1, "missing")


@pytest.mark.django_db
def test_head_prints_and_writes_the_exported_head(tmp_path: Path) -> None:
    append_many(2)
    printed = run("head")
    assert json.loads(printed) == chain_head() and printed == head_json(chain_head())
    target = tmp_path / "head.json"
    out = run("head", "--output", str(target))
    assert "#2" in out and str(target) in out
    assert target.read_text(encoding="utf-8") == printed


@pytest.mark.django_db
def test_verify_with_an_anchor_catches_a_cut_off_tail(tmp_path: Path) -> None:
    append_many(4)
    anchor = tmp_path / "head.json"
    run("head", "--output", str(anchor))
    assert "The anchor matches." in run("verify", "--anchor", str(anchor))

    delete_entry(4)
    rewind_head(3)
    assert "Audit chain intact: 3 entries." in run("verify"), "without the anchor this is invisible"
    error, out = run_failing("verify", "--anchor", str(anchor))
    assert error.returncode == 1
    assert "Audit chain BROKEN at entry #4." in out and "Entry #4 of the anchor is missing." in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content", ["not json", "[1, 2]", '{"seq": 1}', '{"seq": "one", "hash": "ab"}', '{"seq": 1, "hash": "xyz"}']
)
def test_a_malformed_anchor_is_a_usage_error(tmp_path: Path, content: str) -> None:
    append_many(1)
    anchor = tmp_path / "anchor.json"
    anchor.write_text(content)
    error, _ = run_failing("verify", "--anchor", str(anchor))
    assert error.returncode == 2


@pytest.mark.django_db
def test_a_missing_anchor_file_is_a_usage_error(tmp_path: Path) -> None:
    error, _ = run_failing("verify", "--anchor", str(tmp_path / "nope.json"))
    assert error.returncode == 2 and "nope.json" in str(error)


# --- the real command, as an operator runs it ------------------------------------------------


def sqm(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``sqm`` (the installed console script) on this test's database, in English."""
    script = Path(sys.executable).with_name("sqm")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "sqm"]
    env = {
        **os.environ,
        "DATABASE_URL": child_database_url(),
        "SQM_DATA_DIR": str(settings.DATA_DIR),
        "SQM_LANGUAGE": "en",
    }
    return subprocess.run(
        [*command, *args], env=env, cwd=settings.PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.mark.django_db(transaction=True)
def test_sqm_audit_verify_exit_status(tmp_path: Path) -> None:
    entries = append_many(5)
    intact = sqm("audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert "Audit chain intact: 5 entries." in intact.stdout and entries[-1].entry_hash in intact.stdout

    anchor = tmp_path / "head.json"
    assert sqm("audit", "head", "--output", str(anchor)).returncode == 0
    assert json.loads(anchor.read_text()) == chain_head()

    set_changes(2, {"status": "forged"})
    broken = sqm("audit", "verify")
    assert broken.returncode == 1
    assert "BROKEN at entry #2" in broken.stdout and "Entry #2 was altered" in broken.stdout
    assert "CommandError" in broken.stderr


@pytest.mark.django_db(transaction=True)
def test_sqm_audit_verify_anchor_and_usage_exit_status(tmp_path: Path) -> None:
    append_many(3)
    anchor = tmp_path / "head.json"
    anchor.write_text(sqm("audit", "head").stdout)
    delete_entry(3)
    rewind_head(2)
    assert sqm("audit", "verify").returncode == 0
    cut = sqm("audit", "verify", "--anchor", str(anchor))
    assert cut.returncode == 1 and "BROKEN at entry #3" in cut.stdout
    assert sqm("audit", "verify", "--anchor", str(tmp_path / "missing.json")).returncode == 2
    assert sqm("audit").returncode == 2  # no subcommand
