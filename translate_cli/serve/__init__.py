"""``translate-cli serve``: the model loaded once, behind a local HTTP server.

It answers LibreTranslate's API as its clients use it (``/translate``, ``/detect``,
``/languages``), the library's reports (``/api/segment``, ``/api/translate``,
``/api/summarize``, ``/api/run``) and ``/health``; concurrent requests' sentences are decoded
together (``batcher.py``). The web stack (Starlette on uvicorn) is the ``serve`` extra and is
imported only when a server starts (``server.py``); nothing here imports it.
"""

from __future__ import annotations

from translate_cli.serve.options import Limits, ServeOptions

__all__ = ["Limits", "ServeOptions"]
