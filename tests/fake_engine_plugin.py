"""A translate-cli plug-in for child processes: ``TRANSLATE_CLI_PLUGINS=tests.fake_engine_plugin``
makes the engine ``fake`` (``tests/doubles.py``) a choice of that run, as the test session sets."""

from tests.doubles import register_fake_engine

register_fake_engine()
