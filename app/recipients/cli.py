"""`flask --app wsgi recipients import FILE [--dry-run] [--sync] [--skip-bad] [--bad-rows-out FILE]`,
`recipients purge-uploads`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.core.cli import cli_command_context
from app.core.errors import DomainError
from app.extensions import db
from app.recipients import left_out, roster, uploads

recipients_cli = AppGroup("recipients", help="救助对象 Recipients")


@recipients_cli.command("purge-uploads")
def purge_uploads_cmd():
    """Delete roster uploads older than ROSTER_UPLOAD_MAX_AGE_MINUTES that were never confirmed
    (they hold whole ID and phone numbers), and the unencrypted files earlier versions left in
    instance/roster-uploads. Run it from a timer, e.g. every 15 minutes."""
    cli_command_context()
    removed = uploads.purge_stale()
    db.session.commit()
    click.echo(f"removed {removed} stale roster uploads 已删除过期的名册上传 {removed} 份")
    legacy = uploads.remove_legacy_files()
    if legacy:
        click.echo(f"removed {legacy} files of instance/roster-uploads 已删除旧版留下的名册文件 {legacy} 个")


@recipients_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="只检查并显示差异，不写入 (validate and show the diff only)")
@click.option("--sync", is_flag=True,
              help="名册中各区县不在名册里的在册人员标记为退出 (recipients of the file's districts "
                   "missing from it become exited)")
@click.option("--skip-bad", is_flag=True,
              help="只导入正确的行，跳过有错误的行 (import the valid rows, leave out the bad ones; "
                   "not with --sync)")
@click.option("--bad-rows-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="把有错误的行写到这个文件（.csv 或 .xlsx，原有的列加“原因”），改正后可重新导入 "
                   "(write the bad rows there, with a reason column, to fix and import again)")
def import_cmd(file: Path, dry_run: bool, sync: bool, skip_bad: bool, bad_rows_out: Path | None):
    """Import a roster (CSV in UTF-8/GB18030, or XLSX): all rows or nothing, or with --skip-bad
    the valid rows only."""
    cli_command_context()
    fmt = None
    if bad_rows_out is not None:
        fmt = bad_rows_out.suffix.lower().lstrip(".")
        if fmt not in ("csv", "xlsx"):
            click.echo("错误 Error: --bad-rows-out 应为 .csv 或 .xlsx 文件 (must end in .csv or .xlsx)", err=True)
            sys.exit(2)
    try:
        report = roster.import_roster(file.read_bytes(), file.name, apply=not dry_run, sync=sync,
                                      skip_bad=skip_bad)
        if report.applied:
            db.session.commit()
        else:
            db.session.rollback()
    except DomainError as e:
        db.session.rollback()
        click.echo(f"错误 Error [{e.code}]: {e.message}", err=True)
        sys.exit(2)
    click.echo(f"{file.name}: {report.rows} rows ({report.encoding}), districts {', '.join(report.districts)}")
    if report.ignored_headers:
        click.echo(f"ignored columns 忽略的列: {', '.join(report.ignored_headers)}")
    for bad in report.bad:
        click.echo(f"第 {bad.line} 行 line {bad.line}: {'；'.join(bad.reasons)}", err=True)
    if bad_rows_out is not None and report.left_out:
        data, _name, _mime = left_out.build(report, fmt=fmt)
        bad_rows_out.write_bytes(data)
        left_out.record_download(rows=len(report.left_out), upload_sha256=report.sha256, channel="cli")
        db.session.commit()
        click.echo(f"wrote {len(report.left_out)} bad rows to {bad_rows_out} 有错误的行已写入该文件"
                   "（含完整身份证号，请妥善保管 holds whole ID numbers: keep it safe）", err=True)
    if not report.ok and not (skip_bad and report.can_skip_bad):
        click.echo(f"{len(report.bad)} bad rows 有错误的行: nothing was written 未写入任何数据", err=True)
        sys.exit(1)
    click.echo(f"new 新增 {report.new}, changed 变更 {report.changed}, unchanged 未变 {report.unchanged}"
               + (f", leaving 退出 {report.leaving}" if sync else ""))
    if not report.ok:
        click.echo(f"left out 未导入 {len(report.left_out)} bad rows 有错误的行")
    if dry_run:
        click.echo("dry run 试运行: nothing was written 未写入任何数据")
    else:
        revoked = report.revoked.get("revoked", 0)
        click.echo(f"applied 已导入 (batch {report.batch_id})" + (f"; revoked {revoked} vouchers" if revoked else ""))
