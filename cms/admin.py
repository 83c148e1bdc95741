"""The back office at /admin/: Flask-Admin, built afresh for every app."""

from __future__ import annotations

from flask import Flask, redirect, request, url_for
from flask_admin import Admin, AdminIndexView, expose
from flask_admin.theme import Bootstrap4Theme
from flask_login import current_user
from sqlalchemy import func, select

from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article
from cms.web import security


class SignedInOnly:
    """Mixed into every back-office view: readers are sent to sign in."""

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name: str, **kwargs):  # noqa: ANN201 - Flask-Admin's hook
        return redirect(url_for("auth.login", next=request.full_path))


class DashboardView(SignedInOnly, AdminIndexView):
    @expose("/")
    def index(self):  # noqa: ANN201 - Flask-Admin's hook
        counts = dict(db.session.execute(select(Article.status, func.count()).group_by(Article.status)).all())
        return self.render("admin/dashboard.html", counts={status: counts.get(status, 0) for status in Status})


def build_admin(app: Flask) -> Admin:
    """A fresh Admin for `app`: a module-level one would break the second app a process builds."""
    admin = Admin(app, name="Back office", url="/admin",
                  index_view=DashboardView(name="Dashboard", url="/admin"),
                  theme=Bootstrap4Theme(base_template="admin/cms_master.html"),
                  csp_nonce_generator=security.csp_nonce)
    return admin
