"""The `flask cms` commands: each calls services, prints, and commits."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError
from sqlalchemy.engine import make_url

from cms.core import clock
from cms.core.errors import CMSError
from cms.core.workflow import Role
from cms.extensions import db
from cms.services import demo, maintenance, related, site, users

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
@database_command
def init() -> None:
    """Create the database schema, or upgrade it to the newest version."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    rendered = maintenance.rerender_stale()
    site.settings()
    db.session.commit()
    click.echo("The database is up to date." + (f" Re-rendered {rendered} articles and pages." if rendered else ""))


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
        click.echo("The site already has content; the sample site was not loaded.")
        return
    zone = site.timezone(current_app.config["SITE_TIMEZONE"])
    with related.deferred():  # one computation of related articles at the end, not one per article
        admin, password = demo.load(now=clock.now(), zone=zone)
    db.session.commit()
    click.echo("Loaded the sample site.")
    click.echo(f"Sign in at {current_app.config['SITE_URL']}/login as {admin.email} with the password: {password}")
    click.echo("This password is shown only now.")


@cms.command("reindex")
@database_command
def reindex() -> None:
    """Render stale bodies again and recompute every article's related articles (search keeps itself current)."""
    rendered = maintenance.rerender_stale()
    rebuilt = related.rebuild()
    db.session.commit()
    if rendered:
        click.echo(f"Re-rendered {rendered} articles and pages made by an older version.")
    click.echo(f"Related articles: computed for {rebuilt.articles} articles ({rebuilt.scored} scheduled or "
               f"published), {rebuilt.changed} stored scores changed.")
    click.echo("Search index: nothing to rebuild; the database updates it with every save.")
