"""The ``serve`` command: options in, ``translate_cli.serve`` runs the server. The web stack
is imported only once the command runs (``--help`` stays instant)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from translate_cli.cli.common import check_llm_options, environment, settings_from
from translate_cli.cli.options import (
    LLM_OPTIONS,
    MODEL_OPTIONS,
    QUIET_OPTION,
    SUMMARY_OPTIONS,
    TimeoutOpt,
    with_options,
)
from translate_cli.serve.options import (
    API_KEY_ENV,
    DEFAULT_HOST,
    DEFAULT_PORT,
    Limits,
    ServeOptions,
    read_keys,
)

SERVE_HELP = (
    "Serve the model over HTTP until SIGTERM, SIGHUP or Ctrl-C: LibreTranslate's API (/translate, "
    "/detect, /languages), the reports (/api/segment, /api/translate, /api/summarize, "
    "/api/run), /health. Concurrent requests are decoded in shared batches. Binds "
    f"{DEFAULT_HOST}; any other address needs an API key. Needs the serve extra "
    "(pip install 'translate-cli[serve]'); see docs/serve.md."
)
_LIMITS = Limits()


@with_options(SUMMARY_OPTIONS, LLM_OPTIONS, MODEL_OPTIONS, QUIET_OPTION)
def serve_command(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", metavar="ADDRESS", help="Address to listen on.")
    ] = DEFAULT_HOST,
    port: Annotated[
        int, typer.Option("--port", metavar="PORT", help="Port to listen on (0: any free one).")
    ] = DEFAULT_PORT,
    api_key: Annotated[
        list[str] | None,
        typer.Option(
            "--api-key",
            metavar="KEY",
            envvar=API_KEY_ENV,
            show_default=False,
            help=f"A key requests must carry (api_key); repeatable; or {API_KEY_ENV}.",
        ),
    ] = None,
    api_keys_file: Annotated[
        Path | None,
        typer.Option(
            "--api-keys-file",
            metavar="FILE",
            show_default=False,
            help="A file of keys, one a line ('#' starts a comment line).",
        ),
    ] = None,
    max_body: Annotated[
        int, typer.Option("--max-body", metavar="BYTES", min=1, help="Largest request body.")
    ] = _LIMITS.max_body,
    max_sentences: Annotated[
        int,
        typer.Option("--max-sentences", metavar="N", min=1, help="Most sentences a request."),
    ] = _LIMITS.max_sentences,
    request_timeout: Annotated[
        float,
        typer.Option(
            "--request-timeout", metavar="SECONDS", min=0.1, help="Longest time a request."
        ),
    ] = _LIMITS.seconds,
    max_requests: Annotated[
        int,
        typer.Option(
            "--max-requests", metavar="N", min=1, help="Most requests in flight; more get 429."
        ),
    ] = _LIMITS.max_pending,
    batch_window: Annotated[
        float,
        typer.Option(
            "--batch-window",
            metavar="MS",
            min=0,
            max=1000,
            help="How long the batcher waits for the sentences of requests already received "
            "(a lone request never waits).",
        ),
    ] = 10.0,
    allow_private_urls: Annotated[
        bool,
        typer.Option(
            "--allow-private-urls",
            help="Let requests name URLs on this machine or its network (/api/*).",
            show_default=False,
        ),
    ] = False,
    timeout: TimeoutOpt = None,
    **options: Any,
) -> None:
    from translate_cli.serve.server import serve

    env = environment(ctx)
    env.quiet = bool(options.get("quiet"))
    settings = settings_from({**options, "timeout": timeout})
    check_llm_options(settings, **options)
    limits = Limits(
        max_body=max_body,
        max_sentences=max_sentences,
        seconds=request_timeout,
        max_pending=max_requests,
    )
    served = ServeOptions(
        host=host,
        port=port,
        keys=read_keys(api_key or [], api_keys_file),
        limits=limits,
        batch_window=batch_window / 1000,
        allow_private_urls=allow_private_urls,
    )
    serve(settings, served.check(), env.notice)
