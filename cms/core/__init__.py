"""The rules of the CMS in plain Python: no Flask, no database, no model classes."""
