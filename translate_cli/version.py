"""The package's version, in a module of its own: the package root imports the pipeline, so
modules below it (the user agent, the memory's keys) read the version here."""

__version__ = "0.1.0"
