"""The studio: one web app over the same library and stage registry as the CLI, for
moderators, translators, campaigners and designers (`letterworld serve --db campaign.db`)."""

from .app import create_app

__all__ = ["create_app"]
