"""Dynamic batching: one thread owns the engine; sentences from concurrent requests share its
batches.

Each request runs the pipeline in a thread of its own (segmenting, language, checks, the
terms and memory layers are per document), but the pipeline's engine is a ``SharedEngine``:
its sentences go into one queue, and the batcher's thread hands whatever is waiting to the
real engine as one call. The engine then plans its batches by padded tokens exactly as it
does for a document on the command line (``engines/batch_plan.py``), so many small requests
decode like one big document.

Before a call the batcher waits only for what it knows is coming: the requests the server has
received whose sentences are not queued yet (``arrive``; at most ``window``), and the clients
of the last call's time coming back (the hold, ``HOLD_SHARE``). A lone client's sentence goes to
the engine at once.

A request carries a ``Ticket``: its deadline and whether it was cancelled (the client went
away, or the deadline passed). A cancelled request's sentences still waiting are dropped when
the batcher next takes from the queue; those already inside a running engine call finish (a
batch cannot be cut short) and their outputs are thrown away.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from translate_cli.engines.base import (
    EvidenceTranslator,
    ProgressCallback,
    Translation,
    Translator,
    translations,
)

# Most sentences handed to the engine in one call: the engine's own window (seq2seq.py), so a
# call is one planned window, as on the command line.
MOST_SENTENCES = 256
# How long the batcher waits, once a sentence is queued, for the requests the server has
# received whose sentences are not queued yet (their bodies read, their text segmented, ...):
# long enough for concurrent clients' requests to meet, short beside a decode (tens of ms or
# more). It waits only for those: a lone request's sentences go to the engine at once.
WINDOW_SECONDS = 0.01
# After a call, the clients it answered usually ask again at once (a client with one request at
# a time). Without waiting for them the next call holds only those that queued meanwhile, and
# calls alternate big and small (8 clients made calls of 4.6 sentences on average; 32 clients
# split into two groups taking turns, calls of 20). So the batcher holds the next call until as
# many requests are queued as were open at once during the last call (received and not yet
# answered: the clients of that time, whichever call answered them; at least as many as the
# last call answered), at most this share of the last call's time (what it costs when they do
# not come back) ...
HOLD_SHARE = 0.1
# ... and at most this long.
MOST_HOLD_SECONDS = 0.05


class RequestCancelled(Exception):
    """The request's client went away, or it was cancelled; its work was dropped."""


class RequestTimedOut(Exception):
    """The request ran past its time limit; its work was dropped."""


class Ticket:
    """One request's claim on the batcher: its deadline, and cancelling it."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.cancelled = threading.Event()
        self.coming = False  # received, its sentences not queued yet (``Batcher.arrive``)
        self.open = False  # received and not yet answered (``arrive`` to ``leave``)
        self._futures: list[Future[Translation]] = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)

    def track(self, futures: Iterable[Future[Translation]]) -> None:
        with self._lock:
            self._futures.extend(futures)
        if self.cancelled.is_set():
            self.cancel()

    def cancel(self) -> None:
        """Drop every sentence of this request not yet in a running engine call."""
        self.cancelled.set()
        with self._lock:
            futures, self._futures = self._futures, []
        for future in futures:
            future.cancel()  # False (and harmless) for those running or done


class _Pending:
    __slots__ = ("arrival", "future", "text")

    def __init__(self, text: str, arrival: int) -> None:
        self.text = text
        self.arrival = arrival  # which submit brought it (one request's pipeline call)
        self.future: Future[Translation] = Future()


class Batcher:
    """The thread that owns ``engine`` and runs every sentence through it, batched."""

    def __init__(
        self,
        engine: Translator,
        *,
        window: float = WINDOW_SECONDS,
        most: int = MOST_SENTENCES,
    ) -> None:
        self.engine = engine
        self.window = window
        self.most = most
        self._queue: deque[_Pending] = deque()
        self._ready = threading.Condition()
        self._closing = False
        self.calls = 0  # engine calls made (a test and the benchmark read it)
        self.sentences = 0  # sentences decoded
        self._arrivals = 0  # submits so far
        self._coming = 0  # requests received whose sentences are not queued yet
        self._open = 0  # requests received and not yet answered
        self._peak = 0  # the most open at once since the running call was taken
        # After the last call: when it ended, how many requests the next one waits for (see
        # HOLD_SHARE), and how long it may wait for them.
        self._ended = 0.0
        self._expected = 0
        self._hold = 0.0
        self._thread = threading.Thread(target=self._run, name="batcher", daemon=True)
        self._thread.start()

    # --- the requests' side -----------------------------------------------------------------
    def arrive(self, ticket: Ticket) -> None:
        """``ticket``'s request was received: the next call may wait for its sentences (the
        window) until it submits them or ``leave``s."""
        with self._ready:
            if not ticket.coming:
                ticket.coming = True
                self._coming += 1
            if not ticket.open:
                ticket.open = True
                self._open += 1
                self._peak = max(self._peak, self._open)

    def leave(self, ticket: Ticket) -> None:
        """``ticket``'s request is answered: nothing more to wait for from it."""
        with self._ready:
            self._came(ticket)
            if ticket.open:
                ticket.open = False
                self._open -= 1
            self._ready.notify()

    def _came(self, ticket: Ticket) -> None:
        if ticket.coming:
            ticket.coming = False
            self._coming -= 1

    def submit(self, texts: list[str], ticket: Ticket) -> list[Future[Translation]]:
        """Queue ``texts``; their futures, in order, each resolved when decoded."""
        with self._ready:
            if self._closing:
                raise RequestCancelled("the server is shutting down")
            self._came(ticket)
            self._arrivals += 1
            pending = [_Pending(text, self._arrivals) for text in texts]
            self._queue.extend(pending)
            self._ready.notify()
        futures = [p.future for p in pending]
        ticket.track(futures)
        return futures

    def waiting(self) -> int:
        """Sentences in the queue (cancelled ones included until the next take)."""
        return len(self._queue)

    def close(self) -> None:
        """Finish what is queued, then stop the thread and close the engine."""
        with self._ready:
            self._closing = True
            self._ready.notify()
        self._thread.join()
        self.engine.close()

    # --- the thread -------------------------------------------------------------------------
    def _take(self) -> list[_Pending] | None:
        """The next call's sentences (None: closing and nothing left)."""
        with self._ready:
            while not self._queue:
                if self._closing:
                    return None
                self._ready.wait()
            # Give the requests on their way a moment to join this call, and the clients the
            # last call answered the time to ask again (HOLD_SHARE); nobody else waits.
            window_ends = time.monotonic() + self.window
            hold_ends = self._ended + self._hold
            while len(self._queue) < self.most and not self._closing:
                now = time.monotonic()
                coming = window_ends if self._coming and now < window_ends else 0.0
                back = len({item.arrival for item in self._queue}) >= self._expected
                returning = hold_ends if not back and now < hold_ends else 0.0
                if not (coming or returning):
                    break
                self._ready.wait(max(coming, returning) - now)
            taken: list[_Pending] = []
            while self._queue and len(taken) < self.most:
                item = self._queue.popleft()
                if not item.future.cancelled():
                    taken.append(item)
            self._peak = self._open  # counted afresh while this call runs
            return taken

    def _run(self) -> None:
        while (taken := self._take()) is not None:
            if taken:
                started = time.monotonic()
                self._decode(taken)
                with self._ready:
                    self._ended = time.monotonic()
                    self._hold = min((self._ended - started) * HOLD_SHARE, MOST_HOLD_SECONDS)
                    answered = len({item.arrival for item in taken})
                    self._expected = max(answered, self._peak)

    def _decode(self, taken: list[_Pending]) -> None:
        sent: deque[_Pending] = deque()

        def texts() -> Iterator[str]:
            # Read lazily by the engine, window by window: a request cancelled meanwhile
            # loses the sentences the engine has not read yet.
            for item in taken:
                if item.future.set_running_or_notify_cancel():
                    sent.append(item)
                    yield item.text

        self.calls += 1
        try:
            for output in translations(self.engine, texts()):
                sent.popleft().future.set_result(output)
                self.sentences += 1
        except Exception as error:  # the engine failed: every sentence of this call says so
            for item in sent:
                if not item.future.done():
                    item.future.set_exception(error)
            for item in taken:
                if not item.future.done() and item.future.set_running_or_notify_cancel():
                    item.future.set_exception(error)


class SharedEngine(EvidenceTranslator):
    """What each request's pipeline sees as its engine: the batcher, for the request whose
    ``Ticket`` this thread carries (``use``). Everything that describes the engine (its
    name, ``model_dir``, options, for the translation memory's key) is the real engine's."""

    def __init__(self, batcher: Batcher) -> None:
        self.batcher = batcher
        self._local = threading.local()

    def use(self, ticket: Ticket) -> None:
        """The request this thread works for from now on."""
        self._local.ticket = ticket

    @property
    def name(self) -> str:
        return self.batcher.engine.name

    def __getattr__(self, name: str) -> Any:
        if name in ("batcher", "_local"):
            raise AttributeError(name)
        return getattr(self.batcher.engine, name)

    def translate_with_evidence(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[Translation]:
        ticket: Ticket = self._local.ticket
        for future in self.batcher.submit(list(texts), ticket):
            try:
                output = future.result(timeout=ticket.remaining())
            except CancelledError:
                raise RequestCancelled("the request was cancelled") from None
            except FutureTimeout:
                ticket.cancel()
                raise RequestTimedOut("the request ran past its time limit") from None
            if progress is not None:
                progress(1)
            yield output

    def close(self) -> None:
        """Nothing: the server closes the batcher (and the engine) when it stops."""
