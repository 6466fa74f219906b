"""letterworld: turn thousands of solidarity messages into one Letter from the World.

Stages (each a module with a pure core and a thin store adapter):
ingest -> language -> moderation -> embedding -> themes -> excerpts -> letter -> render.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
