"""Thin blueprints: parse the request, call one service, commit once, pick the response."""
