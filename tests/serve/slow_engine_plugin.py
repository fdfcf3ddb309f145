"""A plug-in for a server in a subprocess: the engine ``slow``, the fake engine taking a second
and a half a call (``TRANSLATE_CLI_PLUGINS=tests.serve.slow_engine_plugin``)."""

from tests.serve.helpers import SlowEngine
from translate_cli.engines import ENGINES

ENGINES.register("slow", lambda settings, **_: SlowEngine(1.5), help="tests only", hidden=True)
