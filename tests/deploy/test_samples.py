"""The deployment samples in deploy/ work as they are: nginx accepts its block, systemd its unit, and gunicorn's
settings give an access log and one control socket per instance (issue 17)."""

import http.client
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from cms import create_app
from cms.config import DATABASE_FILE
from cms.core import clock
from cms.extensions import db
from cms.services import uploads
from tests.packaging.wheel import ROOT, get
from tests.servers import free_port, wait_until_answering

DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"the sample no longer holds {old!r}: update this test with it"
    return text.replace(old, new)


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed (apt-get install nginx)")
@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl is not installed, so no test certificate")
def test_nginx_accepts_the_sample_server_block(tmp_path):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=www.example.org", "-keyout", tmp_path / "key.pem", "-out", tmp_path / "cert.pem"],
                   check=True, capture_output=True)
    sample = (DEPLOY / "nginx.conf").read_text()
    sample = _replace(sample, "/etc/letsencrypt/live/www.example.org/fullchain.pem", str(tmp_path / "cert.pem"))
    sample = _replace(sample, "/etc/letsencrypt/live/www.example.org/privkey.pem", str(tmp_path / "key.pem"))
    sample = _replace(sample, "/var/cache/nginx/cms", str(tmp_path / "cache"))
    (tmp_path / "cms.conf").write_text(sample)
    (tmp_path / "nginx.conf").write_text(  # what Debian's /etc/nginx/nginx.conf gives conf.d/: an http block
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    access_log off;\n    include {tmp_path}/cms.conf;\n}}\n")
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
                             "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
@pytest.mark.parametrize("name", ["cms-web.service", "cms-mail-worker.service"])
def test_systemd_accepts_the_units_which_read_one_settings_file(tmp_path, name):
    unit = (DEPLOY / name).read_text()
    unit = _replace(unit, "/srv/cms/.venv/bin/", f"{BIN}/")
    unit = _replace(unit, "EnvironmentFile=/etc/cms/cms.env", f"EnvironmentFile={tmp_path / 'cms.env'}")
    (tmp_path / "cms.env").write_text("SECRET_KEY=test\n")
    (tmp_path / name).write_text(unit)
    result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / name)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""


def test_web_unit_serves_with_the_readmes_proxy_command():
    unit = (DEPLOY / "cms-web.service").read_text()
    started = shlex.split(re.search(r"^ExecStart=(.+)$", unit, flags=re.MULTILINE).group(1))
    readme = (ROOT / "README.md").read_text()
    documented = [shlex.split(line.strip().rstrip("\\"))
                  for line in readme.splitlines() if "gunicorn -c deploy/gunicorn.conf.py" in line]
    assert started[0].endswith("/gunicorn")
    arguments = [words[[word.rsplit("/", 1)[-1] for word in words].index("gunicorn") + 1:] for words in documented]
    assert started[1:] in arguments


def _store_an_image(instance: Path) -> str:
    """Store an image in the site at `instance` as an upload through another server would; return its file name."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / DATABASE_FILE}", "SECRET_KEY": "test"})
    photo = io.BytesIO()
    Image.new("RGB", (1200, 600), (200, 120, 40)).save(photo, format="JPEG")
    photo.seek(0)
    with app.app_context():
        stored = uploads.save(photo, by=None, now=clock.now(), filename="garden.jpg", alt="A garden",
                              max_bytes=app.config["UPLOAD_MAX_BYTES"], max_pixels=app.config["UPLOAD_MAX_PIXELS"],
                              max_animation_pixels=app.config["UPLOAD_MAX_ANIMATION_PIXELS"])
        db.session.commit()
        name = stored.file_name
        db.engine.dispose()
    return name


def _get_bytes(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _start(port: int, environment: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "--workers", "1",
                             "--bind", f"127.0.0.1:{port}", "app:app"], cwd=ROOT, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_gunicorn_settings_log_each_request_and_give_each_instance_its_own_control_socket(tmp_path):
    """Two instances of one site, as behind a load balancer: each its own socket and log, one set of uploads."""
    environment = {**os.environ, "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test",
                   "XDG_RUNTIME_DIR": str(tmp_path), "FLASK_APP": "app.py"}
    environment.pop("DATABASE_URL", None)
    subprocess.run([str(BIN / "flask"), "cms", "init"], cwd=ROOT, env=environment, check=True, capture_output=True)
    ports = [free_port(), free_port()]
    servers = [_start(port, environment) for port in ports]
    try:
        assert all(wait_until_answering(port, "/healthz") for port in ports)
        assert get(ports[0], "/tags/?secret=no")[0] == 200
        name = _store_an_image(tmp_path / "instance")  # by a third server of the same site: this process
        served = [_get_bytes(port, f"/uploads/{name}") for port in ports]
        assert served[0][0] == served[1][0] == 200 and served[0][1] == served[1][1] != b""
    finally:
        for server in servers:
            server.terminate()
        logs = [server.communicate(timeout=30) for server in servers]
    sockets = [re.search(r"Control socket listening at (\S+)", errors).group(1) for _, errors in logs]
    assert sockets[0] != sockets[1]
    assert all(Path(socket).parent == tmp_path for socket in sockets)
    access = [line for line in logs[0][0].splitlines() if line.startswith("access ")]
    assert any(re.fullmatch(r'access remote=127\.0\.0\.1 time=\[[^]]+\] method=GET path="/tags/" query="secret=no" '
                            r'status=200 bytes=\d+ duration_ms=\d+ referer="-" agent="[^"]*"', line)
               for line in access), access
