"""Subscribers in the back office (admins only, /admin/subscribers/): counts per series, each article's sending
progress, the list, an export, and deleting a subscriber completely. Addresses of people interested in therapy
topics are personal data: authors and editors get a 403 on every screen here."""

from __future__ import annotations

import csv
import io

from flask import Response, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_admin import Admin, BaseView, expose

from cms.admin import AdminsOnly
from cms.core import clock
from cms.extensions import db
from cms.services import subscriptions
from cms.web.forms import ConfirmForm

#: Subscribers listed on the screen, newest first; the export has them all.
LISTED = 500


class SubscribersView(AdminsOnly, BaseView):
    @expose("/")
    def index(self) -> ResponseReturnValue:
        rows = [(subscriber, [subscriptions.topic_label(topic) for topic in subscriptions.topics(subscriber)])
                for subscriber in subscriptions.listed(limit=LISTED)]
        return self.render("admin/subscribers.html", counts=subscriptions.counts(), rows=rows,
                           progress=subscriptions.progress(), form=ConfirmForm(), shown=LISTED)

    @expose("/export.csv")
    def export(self) -> ResponseReturnValue:
        """Every confirmed and pending subscriber, as CSV: the list as it stands, to keep or move elsewhere."""
        output = io.StringIO()
        csv.writer(output).writerows(subscriptions.export_rows())
        stamp = clock.now().strftime("%Y-%m-%d")
        return Response(output.getvalue(), mimetype="text/csv", headers={
            "Content-Disposition": f"attachment; filename=subscribers-{stamp}.csv", "Cache-Control": "no-store"})

    @expose("/<int:subscriber_id>/delete", methods=["POST"])
    def delete(self, subscriber_id: int) -> ResponseReturnValue:
        if not ConfirmForm().validate_on_submit():
            flash("The form expired; try again.", "error")
            return redirect(url_for(".index"))
        subscriber = subscriptions.find(subscriber_id)
        if subscriber is None:
            flash("That subscriber is already deleted.", "error")
            return redirect(url_for(".index"))
        email = subscriber.email
        subscriptions.delete_subscriber(subscriber)
        db.session.commit()
        flash(f"Deleted {email}, with every subscription and email of theirs.", "success")
        return redirect(url_for(".index"))


def register(admin: Admin) -> None:
    admin.add_view(SubscribersView(name="Subscribers", endpoint="subscribers", url="subscribers"))
