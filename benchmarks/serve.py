"""``translate-cli serve`` under load: warm latency, throughput against the CLI, memory.

The model is benchmarks/speed.py's random-weight copy of opus-mt-id-en's exact architecture
(full size, ``</s>`` unreachable). Its outputs would all run to the engine's cap (1.5 x the
source tokens + 10), a latency no real model has; so both the server and the in-process
baselines use the engine ``ctranslate2-lengths`` (benchmarks/serve_lengths.py), which cuts
every output at a realistic length: the source's tokens times the English words per
Indonesian word of the parallel test sets in ``--data``/parallel (1.09), the same for each
sentence wherever it is decoded. Both run without the translation memory, the guard and name
protection (``--no-memory --no-guard --no-keep-names``, as speed.py's "ours"): a memory would
answer repeats, and the guard and the names would decode this model's outputs again, which is
not the server's cost.

Measured in one run, each figure beside its baseline:

- latency: one client, one sentence a request, warm; the median over the article's sentences,
  each request alternating with the same sentence in this process decoded alone (what the
  decode itself costs) and through ``Pipeline.translate`` (what the CLI does for it, checks
  and language included); paired, so that the load's drift cancels out of the differences:
  the server's share is the median paired difference; and a ``/health`` round trip (what
  HTTP costs); then the same again with ``serve --shortlist`` and the baselines decoding over
  the same shortlist (built as benchmarks/shortlist.py builds it; opt-in, since what it does to
  translations cannot be measured on random weights);
- throughput: 1, 8 and 32 clients, one sentence a request, working through the article's
  sentences ``--rounds`` times, each client connected before the clock starts; as a ratio to
  the CLI's throughput on the same sentences as one document: ``Pipeline.translate`` warm in
  this process (what ``translate-cli translate`` does once loaded), measured again just
  before each level, and the whole ``translate-cli translate`` process (load included);
- memory: the server's RSS every 1,000 requests over ``--requests`` (32 clients), each a
  short sentence of its own ("Berita nomor 123 hari ini."), so that 10,000 requests take
  minutes, not an hour: what could grow is kept per request, not per token.

    .venv/bin/python benchmarks/serve.py                        # everything
    .venv/bin/python benchmarks/serve.py --requests 0           # no memory run
    .venv/bin/python benchmarks/serve.py --clients '' --requests 0   # latency only

The server is a separate process (``translate-cli serve --port 0``); the clients are threads
of this one, on the same machine, so they take CPU from it: the figures are a floor. The load
average is printed with every figure.
"""

from __future__ import annotations

import argparse
import os
import platform
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import serve_lengths  # benchmarks/serve_lengths.py: outputs of realistic length
import speed  # benchmarks/speed.py: the model, the article, the CLI command
from shortlist import build_shortlist  # benchmarks/shortlist.py: the --shortlist latency

ROOT = speed.ROOT
FLAGS = ["--no-memory", "--no-guard", "--no-keep-names", "--engine", serve_lengths.ENGINE]


def environment(ratio: float) -> dict[str, str]:
    env = {**os.environ, "TRANSLATE_CLI_CACHE_DIR": str(speed.OUR_CACHE), "HF_HUB_OFFLINE": "1"}
    paths = [str(ROOT), str(ROOT / "benchmarks"), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["TRANSLATE_CLI_PLUGINS"] = "serve_lengths"
    env[serve_lengths.RATIO_VARIABLE] = repr(ratio)
    return env


class Server:
    """``translate-cli serve`` on a free port of 127.0.0.1, in its own process."""

    def __init__(self, *extra: str) -> None:
        command = [sys.executable, "-m", "translate_cli", "serve", "--port", "0"]
        command += ["--model", str(speed.MODEL), *FLAGS, "--max-requests", "256", *extra]
        self.process = subprocess.Popen(
            command, stderr=subprocess.PIPE, text=True, env=dict(os.environ), cwd=ROOT
        )
        assert self.process.stderr is not None
        line = self.process.stderr.readline()
        found = re.search(r"on (http://127\.0\.0\.1:\d+) ", line)
        if not found:
            self.process.kill()
            sys.exit(f"the server did not start: {line}{self.process.stderr.read()}")
        self.url = found.group(1)

    def rss_mb(self) -> float:
        return int(self._status("VmRSS")) / 1024

    def threads(self) -> int:
        return int(self._status("Threads"))

    def _status(self, field: str) -> str:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return line.split()[1]
        raise RuntimeError(f"no {field}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(60)


def run_clients(url: str, sentences: list[str], clients: int) -> tuple[float, list[float]]:
    """``clients`` threads, each posting one sentence a request from a shared queue until it
    is empty: the wall time and every request's latency. Each client is made and connected
    (a ``/health`` request) before the clock starts: making an httpx client costs ~20 ms of
    this process's CPU, and 32 of them in a row would stagger the clients' first requests
    over most of a second, a start no long-running client has."""
    import httpx

    work: queue.Queue[str] = queue.Queue()
    for sentence in sentences:
        work.put(sentence)
    latencies: list[float] = []
    failures: list[str] = []
    ready = threading.Barrier(clients + 1)

    def client() -> None:
        with httpx.Client(timeout=600) as http:
            http.get(f"{url}/health")
            ready.wait()
            while True:
                try:
                    sentence = work.get_nowait()
                except queue.Empty:
                    return
                start = time.perf_counter()
                reply = http.post(
                    f"{url}/translate", data={"q": sentence, "source": "id", "target": "en"}
                )
                latencies.append(time.perf_counter() - start)
                if reply.status_code != 200:
                    failures.append(reply.text)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    if failures:
        sys.exit(f"{len(failures)} requests failed, e.g. {failures[0]}")
    return wall, latencies


def timed(action: Callable[..., object], *args: Any) -> float:
    start = time.perf_counter()
    action(*args)
    return time.perf_counter() - start


def median_time(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=40, help="the article's length")
    # 32 clients need several requests each to reach their steady state: at 3 rounds (120
    # requests, under 4 a client) the first and last calls, which cannot hold every client,
    # are a third of the calls.
    parser.add_argument("--rounds", type=int, default=10, help="times through the article")
    parser.add_argument("--clients", default="1,8,32", help="throughput levels ('': none)")
    parser.add_argument("--latency", type=int, default=1, help="latency passes (0: none)")
    parser.add_argument("--requests", type=int, default=10_000, help="for the memory run")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument(
        "--no-shortlist-latency",
        dest="shortlist_latency",
        action="store_false",
        help="skip the latency of `serve --shortlist`",
    )
    args = parser.parse_args()

    subprocess.run(
        [sys.executable, str(Path(speed.__file__).resolve()), "_prepare", str(args.data)],
        check=True,
    )
    ratio = serve_lengths.output_ratio(args.data / "parallel")
    os.environ.update(environment(ratio))
    article = speed.article_file(args.data, args.sentences)
    lines = speed.article_lines(args.data, args.sentences)
    text = article.read_text(encoding="utf-8")
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load {speed.load()}, nice {os.nice(0)}"
    )
    print(
        f"# {len(lines)} sentences; each output cut at {ratio:.3f} x its source tokens (English "
        f"words per Indonesian word in {args.data / 'parallel'}); flags {' '.join(FLAGS)}"
    )

    # --- the CLI's throughput on the article as one document --------------------------------
    from translate_cli.config import Settings
    from translate_cli.engines.base import translations
    from translate_cli.pipeline import Pipeline

    settings = Settings(
        model=str(speed.MODEL),
        engine=serve_lengths.ENGINE,
        no_memory=True,
        guard=False,
        keep_names=False,
    )
    pipeline = Pipeline(settings)
    pipeline.translate(text)  # load and warm
    document_seconds = median_time(lambda: pipeline.translate(text), args.rounds)
    cli_rate = len(lines) / document_seconds
    command = [*speed.contender_command("ours", article), "--engine", serve_lengths.ENGINE]
    whole = [speed._run_command(command)[0] for _ in range(args.rounds)]
    cli_process_rate = len(lines) / statistics.median(whole)
    print(
        f"CLI, the article as one document, warm (Pipeline.translate): "
        f"{document_seconds:6.2f} s = {cli_rate:6.1f} sentences/s"
    )
    print(
        f"CLI, whole process (translate-cli translate, load included):  "
        f"{statistics.median(whole):6.2f} s = {cli_process_rate:6.1f} sentences/s"
    )

    # --- the server ---------------------------------------------------------------------------
    import httpx

    server = Server()
    try:
        run_clients(server.url, lines, 8)  # warm: first batches, caches, connections
        for _ in range(args.latency):
            latency(server.url, lines, pipeline, translations)
        for clients in [int(n) for n in args.clients.split(",") if n.strip()]:
            # The CLI's warm document time again beside each level (the load drifts).
            beside = median_time(lambda: pipeline.translate(text), args.rounds)
            before = httpx.get(f"{server.url}/health").json()
            wall, _ = run_clients(server.url, lines * args.rounds, clients)
            after = httpx.get(f"{server.url}/health").json()
            calls = after["engine_calls"] - before["engine_calls"]
            decoded = after["sentences_decoded"] - before["sentences_decoded"]
            rate, cli_beside = len(lines) * args.rounds / wall, len(lines) / beside
            print(
                f"throughput, {clients:2d} client(s): {rate:6.1f} sentences/s = "
                f"{rate / cli_beside:4.2f}x the CLI warm beside it ({cli_beside:.1f}/s), "
                f"{rate / cli_process_rate:4.2f}x the CLI's whole process; "
                f"{decoded / max(calls, 1):4.1f} sentences an engine call (load {speed.load()})"
            )
        pipeline.close()
        if args.requests:
            memory(server, args.requests)
    finally:
        server.stop()
    if args.latency and args.shortlist_latency:
        shortlist_latency(args, lines, settings, translations)
    print(f"# load {speed.load()}")


def shortlist_latency(args: Any, lines: list[str], settings: Any, translations: Any) -> None:
    """The latency again with ``serve --shortlist`` (opt-in: what it does to translations
    cannot be measured on random weights), beside the same sentences decoded alone with it."""
    import dataclasses

    from translate_cli.pipeline import Pipeline

    build_shortlist(args.data)
    pipeline = Pipeline(dataclasses.replace(settings, shortlist=True))
    pipeline.translate(lines[0])  # load and warm
    server = Server("--shortlist")
    try:
        run_clients(server.url, lines, 8)  # warm
        print("with --shortlist (the server and the in-process baselines alike):")
        for _ in range(args.latency):
            latency(server.url, lines, pipeline, translations)
    finally:
        server.stop()
        pipeline.close()


def latency(url: str, lines: list[str], pipeline: Any, translations: Any) -> None:
    """One client, one sentence a request, each alternating with the same sentence decoded
    alone in this process and through ``Pipeline.translate``: paired, so that the load's drift
    on a shared host cancels out of the differences."""
    import httpx

    with httpx.Client() as http:  # one client: making one (its TLS context) costs ~20 ms
        health = [median_time(lambda: http.get(f"{url}/health"), 1) for _ in range(40)]
        served: list[float] = []
        alone: list[float] = []
        library: list[float] = []
        for line in lines:
            alone.append(
                timed(lambda texts: list(translations(pipeline.translator, texts)), [line])
            )
            library.append(timed(pipeline.translate, line))
            fields = {"q": line, "source": "id", "target": "en"}
            served.append(timed(partial(http.post, data=fields), f"{url}/translate"))

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:6.1f} ms"

    def share(baseline: list[float]) -> str:
        differences = [a - b for a, b in zip(served, baseline, strict=True)]
        return f"{statistics.median(differences) * 1000:+6.1f} ms"

    print(
        f"latency, 1 client, one sentence a request, median of {len(served)} (load {speed.load()}):"
    )
    print(f"  the server, request to answer:                   {ms(served)}")
    print(f"  in-process, the same sentences decoded alone:     {ms(alone)}")
    print(f"  the server's share (paired median difference):   {share(alone)}")
    print(
        f"  in-process through Pipeline.translate:            {ms(library)} "
        f"(the server's share beside it {share(library)})"
    )
    print(f"  /health round trip (HTTP alone):                  {ms(health)}")


def memory(server: Server, requests: int) -> None:
    """The server's RSS (and threads) every 1,000 short requests of 32 clients."""
    done, samples = 0, [(0, server.rss_mb(), server.threads())]
    started = time.perf_counter()
    while done < requests:
        step = min(1000, requests - done)
        short = [f"Berita nomor {done + n} hari ini." for n in range(step)]
        run_clients(server.url, short, 32)
        done += step
        samples.append((done, server.rss_mb(), server.threads()))
    seconds = time.perf_counter() - started
    shown = ", ".join(f"{n}: {mb:.0f}" for n, mb, _ in samples)
    print(f"server RSS (MB) after N short requests (32 clients, {seconds:.0f} s): {shown}")
    print(f"  its threads: {', '.join(str(t) for *_, t in samples)} (load {speed.load()})")
    if len(samples) > 2:
        rss = [mb for _, mb, _ in samples]
        print(
            f"  RSS growth from request 1,000 to {done:,}: {rss[-1] - rss[1]:+.1f} MB "
            f"({(rss[-1] - rss[1]) / rss[1] * 100:+.1f}%), highest after 1,000: "
            f"{max(rss[1:]) - rss[1]:+.1f} MB"
        )
        # Flat from the first sample after which it never moves by more than 5 MB.
        flat = next(i for i in range(1, len(rss)) if max(rss[i:]) - min(rss[i:]) <= 5)
        print(
            f"  flat within 5 MB from request {samples[flat][0]:,}: "
            f"{rss[-1] - rss[flat]:+.1f} MB from there to {done:,}"
        )


if __name__ == "__main__":
    main()
