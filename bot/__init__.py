"""Composition root: settings, app factory, middlewares, runners, texts."""
