"""The `flask cms` commands: each calls services, prints, and commits."""

from __future__ import annotations

import functools
import itertools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from cms import progress
from cms.core import clock
from cms.core.errors import CMSError
from cms.core.workflow import Role
from cms.extensions import db
from cms.services import backup, demo, maintenance, related, site, transfer, uploads, users, wordpress_images

cms = AppGroup("cms", help="Manage the CMS: schema, accounts, content.")


def database_command(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a refusal or an unreachable database into one sentence and an exit code, leaving nothing half done."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except CMSError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        except OperationalError as error:
            db.session.rollback()
            url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
            reason = str(error.orig).strip().splitlines()[0] if error.orig else "no answer"
            raise click.ClickException(f"Cannot use the database at {url}: {reason}.") from None

    return wrapper


@cms.command("init")
@click.option("--no-backup", is_flag=True, help="Upgrade without taking a backup first.")
@database_command
def init(no_backup: bool) -> None:
    """Create the database schema, or upgrade it to the newest version (after a backup) and bring content up to date.

    An upgrade runs in one transaction: if a step fails, the database is left as it was.
    """
    before, head = _revisions()
    if before is not None and before != head and not no_backup:
        saved = _backup_before_upgrade(before)
        click.echo(f"Backed up the site at revision {before} to {saved} before upgrading.")
    try:
        migrate = current_app.extensions["migrate"]
        command.upgrade(migrate.migrate.get_config(migrate.directory), "head")
    except (SQLAlchemyError, RuntimeError) as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise click.ClickException(f"The upgrade from revision {before} failed ({reason}); "
                                   "the database was left as it was.") from None
    moved, refused = uploads.import_folder(_old_upload_folder(), now=clock.now())
    rendered = maintenance.rerender_stale()
    if before != head:  # new columns and scoring rules make stored related articles stale
        related.rebuild()
    site.settings()
    db.session.commit()
    click.echo("The database is up to date." + (f" Re-rendered {rendered} articles and pages." if rendered else ""))
    if moved:
        click.echo(f"Moved {moved} uploaded images from {_old_upload_folder()} into the database; "
                   "the folder is no longer used.")
    for name in refused:
        click.echo(f"Left {name} in {_old_upload_folder()}: it is not an image that can be read.", err=True)


def _revisions() -> tuple[str | None, str | None]:
    """The database's migration revision (None before the first `init`) and the newest one this code has."""
    with db.engine.connect() as connection:
        before = MigrationContext.configure(connection).get_current_revision()
    return before, ScriptDirectory(current_app.extensions["migrate"].directory).get_current_head()


def _backup_before_upgrade(revision: str) -> Path:
    """Write a `flask cms backup` of the site as it is into the instance folder's backups/."""
    folder = Path(current_app.instance_path) / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    now = clock.now()
    path = folder / f"before-upgrade-from-{revision}-{now:%Y%m%d-%H%M%S}.cms-backup"
    backup.create(path, now=now)
    db.session.rollback()  # the backup read the old schema; the upgrade starts on a clean session
    return path


def _old_upload_folder() -> Path:
    """Where the first release kept uploads (UPLOAD_FOLDER, else instance/uploads)."""
    return Path(current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads")


@cms.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), default=Role.AUTHOR.value,
              show_default=True)
@click.option("--name", default="", help="The name shown on articles.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@database_command
def create_user(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Add an account that signs in with EMAIL."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = users.create_user(email, password, Role(role), name=name)
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")


@cms.command("demo")
@database_command
def load_demo() -> None:
    """Load the sample site into an empty database and print the admin's password once."""
    if not demo.is_empty():
        click.echo("The site already has articles or accounts, so the sample site was not loaded: it loads only "
                   "into a new site, before flask cms create-user.")
        return
    zone = site.timezone(current_app.config["SITE_TIMEZONE"])
    admin, password = demo.load(now=clock.now(), zone=zone)
    db.session.commit()
    click.echo("Loaded the sample site.")
    click.echo(f"Sign in at {current_app.config['SITE_URL']}/login as {admin.email} with the password: {password}")
    click.echo("This password is shown only now.")


@cms.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what the import would do, and write nothing.")
@click.option("--uploads", type=click.Path(exists=True, path_type=Path),
              help="A copy of the old WordPress site's wp-content/uploads folder, or a zip of it: the images "
                   "its posts show, and the audio and video they play, come along.")
@click.option("--fetch-images", is_flag=True,
              help="Fetch the images, audio and video the posts show (those not in --uploads) from the old "
                   "WordPress site.")
@database_command
def import_content(path: Path, dry_run: bool, uploads: Path | None, fetch_images: bool) -> None:
    """Import a WordPress export (WXR), a Markdown file, or a folder of Markdown files; all or nothing."""
    zone = site.timezone(current_app.config["SITE_TIMEZONE"])
    importer = transfer.default_importer()
    batch = transfer.load(path, zone=zone)
    limits = wordpress_images.Limits.from_config(current_app.config)
    done = itertools.count(1)
    with (wordpress_images.finder(uploads, is_fetching=fetch_images, limits=limits) as images,
          progress.shown(f"Importing {path.name}", "items") as report_progress):
        report = transfer.run(batch, by=importer, now=clock.now(), images=images,
                              progress=lambda: report_progress(next(done), len(batch.documents)))
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for line in report.lines():
        click.echo(line)
    click.echo("Dry run: nothing was written." if dry_run else f"Imported {path.name}.")


@cms.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@database_command
def export_content(directory: Path) -> None:
    """Write every article and page as Markdown with front matter into DIRECTORY, new or empty."""
    with progress.shown(f"Exporting to {directory}", "files") as report_progress:
        count = transfer.export(directory, zone=site.timezone(current_app.config["SITE_TIMEZONE"]),
                                progress=report_progress)
    click.echo(f"Exported {count} files to {directory}.")


@cms.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@database_command
def backup_site(file: Path) -> None:
    """Write a consistent snapshot of the whole site to FILE, while the site keeps serving."""
    with progress.shown(f"Backing up to {file}", "rows") as report_progress:
        counts = backup.create(file, now=clock.now(), progress=report_progress)
    click.echo(f"Backed up {_rows(counts)} to {file}.")
    click.echo("The file holds password hashes: keep it private.")


@cms.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace everything in a site that already has content.")
@database_command
def restore_site(file: Path, force: bool) -> None:
    """Restore the whole site from a backup FILE into an empty database (or replace it all with --force)."""
    with progress.shown(f"Restoring {file}", "rows") as report_progress:
        counts = backup.restore(file, now=clock.now(), force=force, progress=report_progress)
    db.session.commit()
    click.echo(f"Restored {_rows(counts)} from {file}.")


def _rows(counts: dict[str, int]) -> str:
    return f"{sum(counts.values())} rows (articles: {counts['articles']}, pages: {counts['pages']})"


@cms.command("reindex")
@database_command
def reindex() -> None:
    """Render stale bodies again and recompute every article's related articles (search keeps itself current)."""
    rendered = maintenance.rerender_stale()
    with progress.shown("Computing related articles", "articles") as report_progress:
        rebuilt = related.rebuild(progress=report_progress)
    db.session.commit()
    if rendered:
        click.echo(f"Re-rendered {rendered} articles and pages made by an older version.")
    click.echo(f"Related articles: computed for {rebuilt.articles} articles ({rebuilt.scored} scheduled or "
               f"published), {rebuilt.changed} stored scores changed.")
    click.echo("Search index: nothing to rebuild; the database updates it with every save.")


@cms.command("worker")
@click.option("--once", is_flag=True, help="Send what is due now, then stop (for tests and cron).")
@database_command
def worker(once: bool) -> None:
    """Send what waits in the outbox (email to subscribers), queueing articles as they go live; runs until stopped."""
    from cms.worker import run_command

    run_command(once)
