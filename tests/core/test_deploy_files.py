"""deploy/ stays in step with the app: every setting is in the environment template, every
timer starts a service that runs a real command and reports its failure."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent.parent
SYSTEMD = ROOT / "deploy" / "systemd"


def _settings_read() -> set[str]:
    source = (ROOT / "app" / "config.py").read_text()
    body = source[source.index("def from_env"):source.index("class TestConfig")]
    names = set(re.findall(r'env(?:\.get\(|\[)"([A-Z_]+)"', body)) | set(re.findall(r'"([A-Z_]+)" in env', body))
    keys = re.search(r"for key in \(([^)]*)\)", body).group(1)
    return names | set(re.findall(r'"([A-Z_]+)"', keys))


def test_the_environment_template_lists_every_setting():
    template = (ROOT / "deploy" / "cishan.env.example").read_text()
    listed = set(re.findall(r"^#?([A-Z_]+)=", template, re.MULTILINE))
    read = _settings_read()
    assert {"SECRET_KEY", "DATA_KEY", "DATABASE_URL", "LOG_FORMAT", "METRICS_ALLOW"} <= read
    assert not read - listed, f"settings missing from deploy/cishan.env.example: {sorted(read - listed)}"


def _command_of(exec_line: str) -> list[str]:
    """The `flask --app wsgi ...` words of an ExecStart line (unwrapping `sh -c '...'`)."""
    words = shlex.split(exec_line.replace("$$", "$").replace("%%", "%"))
    if words[0] == "/bin/sh":
        words = shlex.split(words[2])
    start = next(i for i, w in enumerate(words) if w.endswith("/flask"))
    assert words[start + 1:start + 3] == ["--app", "wsgi"]
    return [w for w in words[start + 3:] if not w.startswith("$")]


def _resolve(group: click.Group, words: list[str]) -> click.Command:
    cmd: click.Command = group
    for word in words:
        if not isinstance(cmd, click.Group) or word not in cmd.commands:
            break
        cmd = cmd.commands[word]
    return cmd


def test_every_timer_runs_a_real_command_and_reports_failure(app):
    timers = sorted(SYSTEMD.glob("cishan-*.timer"))
    assert {t.stem for t in timers} >= {"cishan-backup", "cishan-expire", "cishan-verify", "cishan-issue"}
    for timer in timers:
        assert "OnCalendar=" in timer.read_text() and "Persistent=true" in timer.read_text()
        unit = (SYSTEMD / f"{timer.stem}.service").read_text()
        assert "OnFailure=cishan-alert@%n.service" in unit, timer.stem
        assert "Type=oneshot" in unit and "EnvironmentFile=/etc/cishan/cishan.env" in unit
        assert "PROMETHEUS_MULTIPROC_DIR" not in unit  # only the app's service writes metrics
        (line,) = re.findall(r"^ExecStart=(.*)$", unit, re.MULTILINE)
        words = _command_of(line)
        cmd = _resolve(app.cli, words)
        assert not isinstance(cmd, click.Group), f"{timer.stem}: {words} is no command"
        options = {o for p in cmd.params for o in p.opts}
        assert all(w in options for w in words if w.startswith("--")), f"{timer.stem}: {words}"
    calendars = {t.stem: re.search(r"OnCalendar=(.*)", t.read_text()).group(1) for t in timers}
    assert calendars["cishan-issue"].startswith("*-*-01 ")
    assert (SYSTEMD / "cishan-alert@.service").exists()
    assert "PROMETHEUS_MULTIPROC_DIR=" in (SYSTEMD / "cishan.service").read_text()
