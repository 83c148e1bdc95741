"""The ceiling: a bare Flask view returning a body of the same size from memory, under the same gunicorn."""

import os

from flask import Flask, Response

BODY = b"x" * int(os.environ.get("BARE_BODY_BYTES", "20000"))

app = Flask(__name__)


@app.get("/")
def bare() -> Response:
    return Response(BODY, mimetype="text/html")
