"""The HTTP face of the server (Starlette): LibreTranslate's API as its clients use it, the
library's reports, and a health check. Handlers parse, check and shape; the work runs in the
service's threads (``serve/service.py``).

LibreTranslate's shapes: ``POST /translate`` (``q`` a string or a list, ``source``, ``target``,
``format``, ``api_key``; form-encoded, multipart or JSON) answers ``{"translatedText": ...}``,
with ``detectedLanguage`` when ``source`` is ``auto``; ``POST /detect`` answers
``[{"confidence": 0-100, "language": code}, ...]``; ``GET /languages``; errors are
``{"error": message}`` with the status.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Future
from contextlib import suppress
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message

from translate_cli.errors import InputError
from translate_cli.serve.batcher import RequestCancelled, RequestTimedOut, Ticket
from translate_cli.serve.service import REPORT_TASKS, Service
from translate_cli.version import __version__

T = TypeVar("T")

SOURCES = {"id": "Indonesian", "auto": "Automatic"}
TARGETS = {"en": "English"}
FORMATS = ("text", "html")


class Problem(Exception):
    """A request answered with ``{"error": message}`` and ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def build_app(service: Service) -> Starlette:
    """The ASGI application over ``service``."""
    limits = service.options.limits
    in_flight = [0]

    async def fields_of(request: Request) -> dict[str, Any]:
        """The request's fields: the query string's, then the body's (JSON, form-encoded or
        multipart), the body read only up to the size limit."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limits.max_body:
            raise Problem(413, f"Request body exceeds the limit ({limits.max_body} bytes)")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limits.max_body:
                raise Problem(413, f"Request body exceeds the limit ({limits.max_body} bytes)")
        found: dict[str, Any] = dict(request.query_params)
        kind = _media_type(request)
        if kind == "application/json":
            try:
                data = json.loads(bytes(body) or b"{}")
            except (ValueError, UnicodeDecodeError, RecursionError):  # [[[[... nested too deep
                raise Problem(400, "Invalid JSON format") from None
            if not isinstance(data, dict):
                raise Problem(400, "Invalid JSON format")
            found.update(data)
        elif kind == "multipart/form-data":
            found.update(await _multipart(request, bytes(body)))
        elif body:  # form-encoded, as LibreTranslate's clients send it (also untyped)
            try:
                found.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:
                raise Problem(400, "Invalid request: the body is not UTF-8") from None
        return found

    def check_key(fields: Mapping[str, Any]) -> None:
        given = fields.get("api_key")
        if not service.options.key_accepted(given if isinstance(given, str) else None):
            raise Problem(403, "Invalid API key" if given else "An API key is required")

    async def guarded(request: Request, work: Callable[[], T]) -> T:
        """``work`` run in a service thread for the request's ticket, cancelled when the
        client goes away or the request's time is up (``endpoint``)."""
        ticket: Ticket = request.state.ticket
        future: Future[T] = service.submit(ticket, work)
        result: asyncio.Future[Any] = asyncio.wrap_future(future)
        gone: asyncio.Future[Any] = asyncio.ensure_future(_disconnected(request.receive))
        try:
            done, _ = await asyncio.wait({result, gone}, return_when=asyncio.FIRST_COMPLETED)
            if result in done:
                answer: T = result.result()
                return answer
            raise RequestCancelled("the client went away")
        except BaseException:  # gone, or the time is up (asyncio cancels this task)
            ticket.cancel()
            # Cancels the thread's work if not started, and drops its result or error when
            # it comes (an asyncio future's error nobody reads would be logged).
            result.cancel()
            raise
        finally:
            gone.cancel()
            with suppress(asyncio.CancelledError):
                await gone

    def endpoint(
        handler: Callable[[Request], Awaitable[Response]], *, counted: bool = True
    ) -> Callable[[Request], Awaitable[Response]]:
        """``handler`` with the in-flight limit and every failure as ``{"error": ...}``."""

        async def answer(request: Request) -> Response:
            if counted and in_flight[0] >= limits.max_pending:
                return _error(429, f"Slowdown: more than {limits.max_pending} requests in flight")
            in_flight[0] += counted
            # One deadline for the whole request: reading its body, waiting, decoding.
            ticket = request.state.ticket = Ticket(limits.seconds)
            if counted:  # its sentences may be on their way: worth a moment's wait
                service.batcher.arrive(ticket)
            try:
                return await asyncio.wait_for(handler(request), limits.seconds)
            except TimeoutError:
                return _error(503, f"The request took longer than {limits.seconds:g} s")
            except Problem as problem:
                return _error(problem.status, problem.message)
            except InputError as error:  # over a limit, or a URL that cannot be read
                return _error(400, error.message)
            except RequestTimedOut:
                return _error(503, f"The request took longer than {limits.seconds:g} s")
            except RequestCancelled as error:
                return _error(503, str(error))  # the client has gone: nobody reads this
            except Exception as error:  # the engine failed: the server goes on
                return _error(500, f"Cannot translate text: {type(error).__name__}: {error}")
            finally:
                in_flight[0] -= counted
                service.batcher.leave(ticket)

        return answer

    async def translate(request: Request) -> Response:
        fields = await fields_of(request)
        check_key(fields)
        for name in ("q", "source", "target"):
            if not fields.get(name):
                raise Problem(400, f"Invalid request: missing {name} parameter")
        q, source, target = fields["q"], fields["source"], fields["target"]
        text_format = fields.get("format") or "text"
        several = isinstance(q, list)
        texts = q if several else [q]
        if not all(isinstance(text, str) for text in texts):
            raise Problem(400, "Invalid request: q must be a string or a list of strings")
        if len(texts) > limits.max_texts:
            raise Problem(
                400,
                f"Invalid request: request ({len(texts)}) exceeds text limit ({limits.max_texts})",
            )
        if _media_type(request) != "application/json":  # as LibreTranslate: line ends as \n
            texts = ["\n".join(text.splitlines()) for text in texts]
        if source not in SOURCES:
            raise Problem(400, f"{source} is not supported")
        if target not in TARGETS:
            raise Problem(400, f"{target} is not supported")
        if text_format not in FORMATS:
            raise Problem(400, f"{text_format} format is not supported")
        alternatives = _alternatives(fields.get("alternatives", 0))
        detected = None
        if source == "auto":
            found = await guarded(request, lambda: service.detect(" ".join(texts)))
            best = found[0]
            detected = {"confidence": best.confidence, "language": best.language}
        if detected is not None and detected["language"] in TARGETS:
            results = list(texts)  # already English: given back as it is
        elif text_format == "html":
            results = await guarded(
                request, lambda: [service.translate_markup(text) for text in texts]
            )
        else:
            results = await guarded(request, lambda: service.translate_texts(texts))
        body: dict[str, Any] = {"translatedText": results if several else results[0]}
        if detected is not None:
            body["detectedLanguage"] = [detected] * len(texts) if several else detected
        if alternatives:  # this server gives one translation: no alternatives to offer
            body["alternatives"] = [[] for _ in texts] if several else []
        return JSONResponse(body)

    async def detect(request: Request) -> Response:
        fields = await fields_of(request)
        check_key(fields)
        q = fields.get("q")
        if not q or not isinstance(q, str):
            raise Problem(400, "Invalid request: missing q parameter")
        found = await guarded(request, lambda: service.detect(q))
        return JSONResponse([{"confidence": d.confidence, "language": d.language} for d in found])

    async def languages(request: Request) -> Response:
        return JSONResponse(
            [{"code": code, "name": name, "targets": targets} for code, name, targets in _LANGUAGES]
        )

    async def health(request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "model": service.model,
                "engine": service.engine.name,
                "in_flight": in_flight[0],
                "queued_sentences": service.batcher.waiting(),
                "engine_calls": service.batcher.calls,
                "sentences_decoded": service.batcher.sentences,
            }
        )

    async def report(request: Request) -> Response:
        task = request.path_params["task"]
        if task not in REPORT_TASKS:
            raise Problem(404, f"no task {task!r}; one of {', '.join(REPORT_TASKS)}")
        fields = await fields_of(request)
        check_key(fields)
        text, url = fields.get("text"), fields.get("url")
        if (text is None) == (url is None) or not isinstance(text or url, str):
            raise Problem(400, "Invalid request: give text or url (a string), not both")
        return JSONResponse(await guarded(request, lambda: service.report(task, text, url)))

    routes = [
        Route("/translate", endpoint(translate), methods=["POST"]),
        Route("/detect", endpoint(detect), methods=["POST"]),
        Route("/languages", endpoint(languages, counted=False), methods=["GET", "POST"]),
        Route("/health", endpoint(health, counted=False), methods=["GET"]),
        Route("/api/{task}", endpoint(report), methods=["POST"]),
    ]
    return Starlette(routes=routes)


# What GET /languages lists: Indonesian into English, and English as a language (a target)
# that nothing is translated from, since clients look their target up in this list too.
_LANGUAGES: tuple[tuple[str, str, list[str]], ...] = (
    ("id", "Indonesian", ["en"]),
    ("en", "English", []),
)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _alternatives(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        raise Problem(400, "Invalid request: alternatives parameter is not a number") from None


async def _multipart(request: Request, body: bytes) -> dict[str, Any]:
    """A multipart body (already read, within the limit) as its text fields."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=0)
    except Exception as error:  # python-multipart's and Starlette's parse errors
        raise Problem(400, f"Invalid request: {error}") from None
    return {name: value for name, value in form.multi_items() if isinstance(value, str)}


async def _disconnected(receive: Callable[[], Awaitable[Message]]) -> None:
    """Return when the client has gone (the body was already read)."""
    while (await receive())["type"] != "http.disconnect":
        pass
