"""The README's Configuration table and the settings read from the environment are the same list (issue 17)."""

import re
from pathlib import Path

import pytest

from cms import config, create_app

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
#: A value each setting accepts; the rest take "7", a whole number and a string alike.
SAMPLES = {"SITE_URL": "https://sample.example", "SITE_TIMEZONE": "Europe/Paris", "WEBSUB_HUB": "https://hub.example",
           "DATABASE_URL": "postgresql+psycopg://sample@db/sample", "SMTP_URL": "smtp://mail.example:587"}


def _table_names() -> list[str]:
    section = README.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.MULTILINE)


def test_readme_table_lists_exactly_the_settings_read_from_the_environment():
    names = _table_names()
    assert len(names) == len(set(names))
    assert set(names) == set(config.ENVIRONMENT) | {config.INSTANCE_PATH}


def test_every_setting_the_readme_names_is_in_its_table():
    known = {name for name in vars(config.Defaults) if name.isupper()} | set(config.ENVIRONMENT)
    named = set(re.findall(r"`([A-Z][A-Z_]+[A-Z])`", README)) & known
    assert named - set(_table_names()) == set()


@pytest.mark.parametrize("name", sorted(config.ENVIRONMENT))
def test_each_setting_in_the_table_is_read_from_the_environment(tmp_path, name):
    value = SAMPLES.get(name, "7")
    if name == "DKIM_KEY_FILE":  # checked to be a file
        value = str(tmp_path / "dkim.pem")
        Path(value).write_text("a key")
    settings = config.load(str(tmp_path), {name: value})
    key = "SQLALCHEMY_DATABASE_URI" if name == "DATABASE_URL" else name
    assert str(settings[key]) == value


def test_instance_path_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "site"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "test")
    app = create_app()
    assert app.instance_path == str(tmp_path / "site")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'site' / 'cms.sqlite'}"
