import stat

import pytest

from cms import config
from cms.config import ConfigError


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = config.load(str(tmp_path), {})
    second = config.load(str(tmp_path), {})
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) == 64
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_environment_overrides_defaults(tmp_path):
    settings = config.load(str(tmp_path), {"SECRET_KEY": "s", "DATABASE_URL": "postgresql://u@db/site",
                                           "SITE_TIMEZONE": "America/New_York", "SITE_URL": "https://x.org"})
    assert settings["SECRET_KEY"] == "s"
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/site"
    assert settings["SITE_TIMEZONE"] == "America/New_York"


def test_postgresql_connections_are_bounded_by_settings_from_the_environment(tmp_path):
    settings = config.load(str(tmp_path), {"DATABASE_URL": "postgresql://u@db/site", "DB_POOL_SIZE": "2",
                                           "DB_MAX_OVERFLOW": "3"})
    options = settings["SQLALCHEMY_ENGINE_OPTIONS"]
    assert (options["pool_size"], options["max_overflow"]) == (2, 3)
    assert options["connect_args"] == {"connect_timeout": config.Defaults.DB_CONNECT_TIMEOUT}
    assert not options.get("pool_pre_ping")  # checked without a round trip: tests/web/test_reliability.py


def test_postgresql_pool_defaults_fit_two_servers_of_the_readme_in_max_connections(tmp_path):
    options = config.load(str(tmp_path), {"DATABASE_URL": "postgresql://u@db/site"})["SQLALCHEMY_ENGINE_OPTIONS"]
    per_worker = options["pool_size"] + options["max_overflow"]
    assert per_worker >= 8  # one connection for each of the 8 threads of the README's gthread worker
    assert 2 * 4 * per_worker + 10 <= 100  # two servers of 4 workers, plus commands, within PostgreSQL's default


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    assert config.load(str(tmp_path), {})["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'cms.sqlite'}"


def test_instance_file_is_read_and_environment_wins(tmp_path):
    (tmp_path / "config.py").write_text("SITE_URL = 'https://file.example'\nSITE_TIMEZONE = 'Europe/Paris'\n")
    settings = config.load(str(tmp_path), {"SITE_URL": "https://env.example"})
    assert settings["SITE_URL"] == "https://env.example" and settings["SITE_TIMEZONE"] == "Europe/Paris"


@pytest.mark.parametrize(("environ", "message"), [
    ({"SITE_TIMEZONE": "Mars/Olympus"}, "SITE_TIMEZONE 'Mars/Olympus' is not a known time zone"),
    ({"DATABASE_URL": "not a url"}, "DATABASE_URL 'not a url' is not a database URL."),
    ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL must be a SQLite or PostgreSQL URL"),
    ({"SITE_URL": "example.org"}, "SITE_URL 'example.org' must start with http:// or https://."),
    ({"DB_POOL_SIZE": "many"}, "DB_POOL_SIZE 'many' must be a whole number, e.g. 4."),
])
def test_bad_configuration_is_one_sentence(tmp_path, environ, message):
    with pytest.raises(ConfigError) as caught:
        config.load(str(tmp_path), environ)
    assert str(caught.value).startswith(message)
    assert str(caught.value).endswith(".") and "\n" not in str(caught.value)


def test_bad_time_zone_stops_the_flask_command_without_a_traceback(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "SITE_TIMEZONE": "Mars/Olympus", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite",
           "SECRET_KEY": "x", "FLASK_APP": "app.py"}
    result = subprocess.run([sys.executable, "-m", "flask", "cms", "init"], cwd=root, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "SITE_TIMEZONE 'Mars/Olympus' is not a known time zone" in result.stderr
