"""LOG_FORMAT=json makes every log line one JSON object, in a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAY = "import logging; logging.getLogger('broadside.test').warning('card %s drawn', 42)"


def run(**env) -> list[str]:
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SAY],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return [line for line in done.stderr.splitlines() if "broadside.test" in line]


def test_json_log_lines_are_objects_with_the_usual_fields():
    (line,) = run(LOG_FORMAT="json")
    record = json.loads(line)
    assert record["message"] == "card 42 drawn"
    assert record["level"] == "WARNING"
    assert record["logger"] == "broadside.test"
    assert {"time", "process"} <= set(record)


def test_plain_logs_by_default():
    assert run() == ["WARNING broadside.test: card 42 drawn"]


def test_a_warning_of_django_is_printed_once_in_development():
    # Django's own console handler (on the "django" logger, with DEBUG) and ours (on the
    # root) both printed each of its lines: "Not Found: /robots.txt" twice, on every 404.
    say = "import logging; logging.getLogger('django.request').warning('Not Found: /x.txt')"
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", say],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = (done.stdout + done.stderr).splitlines()
    assert [line for line in lines if "Not Found: /x.txt" in line] == [
        "WARNING django.request: Not Found: /x.txt"
    ]
