"""gunicorn's settings for the CMS, read with `gunicorn -c deploy/gunicorn.conf.py … app:app` (README, Deploying).

Options on the command line win over these. An access log by default, one line a request, to standard output
(the journal under systemd), with what gunicorn logs by default and nothing more, as `key=value` pairs so that
`grep 'status=5'` or `grep 'path="/admin'` finds what it should.
"""

import os
import re

accesslog = "-"
access_log_format = ('access remote=%(h)s time=%(t)s method=%(m)s path="%(U)s" query="%(q)s" status=%(s)s '
                     'bytes=%(B)s duration_ms=%(M)s referer="%(f)s" agent="%(a)s"')


def on_starting(server):  # noqa: ANN001, ANN201 - gunicorn's hook signature
    """Give each instance its own control socket, named after its address, which no two running instances share.

    gunicorn 25.1 and later put every instance's socket at one path ($XDG_RUNTIME_DIR/gunicorn.ctl), so a second
    instance would take over the first one's. systemd's RuntimeDirectory= is used when the unit sets one; an
    explicit --control-socket wins.
    """
    setting = server.cfg.settings.get("control_socket")
    if setting is None or setting.value != setting.default:
        return  # an older gunicorn without one, or chosen on the command line
    address = re.sub(r"[^A-Za-z0-9.]+", "-", "-".join(server.cfg.bind)).strip("-")
    folder = os.environ.get("RUNTIME_DIRECTORY") or os.path.dirname(setting.default)  # noqa: PTH120 - gunicorn's str
    server.cfg.set("control_socket", os.path.join(folder, f"gunicorn-{address}.ctl"))  # noqa: PTH118
