"""Flask extensions, created unbound so that every app built by create_app() gets its own binding."""

from typing import TYPE_CHECKING, Any

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import ColumnElement, MetaData, String
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so that Alembic can alter them later (SQLite batch mode needs the names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
# Models subclass this. At run time it is db.Model (Base plus Flask-SQLAlchemy's table names and binds); type
# checkers cannot follow db.Model, an attribute set in __init__, so they see the declarative base it is made from.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def column_length(column: ColumnElement[Any]) -> int:
    """The length a String column was declared with, so that a form's limit is the database's."""
    if not isinstance(column.type, String) or column.type.length is None:
        raise TypeError(f"{column} is not a String column of fixed length.")
    return column.type.length


migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
