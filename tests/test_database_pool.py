"""The pool of test databases that mutation runs draw from (tests/conftest.py): a slot is
held by one process at a time, and free again once its holder lets go or dies."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import claim_database_slot


def test_two_holders_get_two_files_and_a_released_slot_is_taken_again(tmp_path):
    with claim_database_slot(tmp_path) as first, claim_database_slot(tmp_path) as second:
        assert first != second
        assert {first.name, second.name} == {"test-0.sqlite3", "test-1.sqlite3"}
    with claim_database_slot(tmp_path) as again:
        assert again == first


def test_a_slot_held_by_another_process_is_not_given_out(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; lock = open(sys.argv[1], 'w');"
            " fcntl.flock(lock, fcntl.LOCK_EX); print('held', flush=True); time.sleep(30)",
            str(tmp_path / "slot-0.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with claim_database_slot(tmp_path) as name:
            assert name.name == "test-1.sqlite3"
    finally:
        holder.kill()
        holder.wait()
    with claim_database_slot(tmp_path) as name:  # the kernel let go of the dead holder's lock
        assert name.name == "test-0.sqlite3"
