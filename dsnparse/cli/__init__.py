"""The command line: argument parsing and wiring of sources, the core and sinks (an edge, never
imported by the core). ``dsnparse`` is :func:`main`."""

from .main import main

__all__ = ["main"]
