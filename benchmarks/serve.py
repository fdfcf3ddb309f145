"""``translate-cli serve`` under load: warm latency, throughput against the CLI, memory.

The model is benchmarks/speed.py's random-weight copy of opus-mt-id-en's exact architecture
(full size, ``</s>`` unreachable, so every output runs to its cap ``output_cap(source
tokens)``: the same work for the server and the CLI, whatever batches they form). Both run
without the translation memory, the guard and name protection (``--no-memory --no-guard
--no-keep-names``, as speed.py's "ours"): a memory would answer repeats, and the guard and the
names would decode this model's outputs again, which is not the server's cost.

Measured in one run, each figure beside its baseline:

- latency: one client, one sentence a request, warm; the median over the article's sentences,
  each request alternating with the same sentence in this process decoded alone (what the
  decode itself costs) and through ``Pipeline.translate`` (what the CLI does for it, checks
  and language included); paired, so that the load's drift cancels out of the differences;
  and a ``/health`` round trip (what HTTP costs);
- throughput: 1, 8 and 32 clients, one sentence a request, working through the article's
  sentences ``--rounds`` times; as a ratio to the CLI's throughput on the same sentences as
  one document: ``Pipeline.translate`` warm in this process (what ``translate-cli translate``
  does once loaded), measured again just before each level, and the whole ``translate-cli
  translate`` process (load included);
- memory: the server's RSS every 1,000 requests over ``--requests`` (32 clients), each a
  short sentence of its own ("Berita nomor 123 hari ini."), so that 10,000 requests take
  minutes, not an hour: what could grow is kept per request, not per token.

    nice -n 10 .venv/bin/python benchmarks/serve.py              # everything
    nice -n 10 .venv/bin/python benchmarks/serve.py --requests 0 # no memory run

The server is a separate process (``translate-cli serve --port 0``); the clients are threads
of this one, on the same machine, so they take CPU from it: the figures are a floor.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import speed  # benchmarks/speed.py: the model, the article, the CLI command

ROOT = speed.ROOT
FLAGS = ["--no-memory", "--no-guard", "--no-keep-names"]


def environment() -> dict[str, str]:
    env = {**os.environ, "TRANSLATE_CLI_CACHE_DIR": str(speed.OUR_CACHE), "HF_HUB_OFFLINE": "1"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


class Server:
    """``translate-cli serve`` on a free port of 127.0.0.1, in its own process."""

    def __init__(self) -> None:
        command = [sys.executable, "-m", "translate_cli", "serve", "--port", "0"]
        command += ["--model", str(speed.MODEL), *FLAGS, "--max-requests", "256"]
        self.process = subprocess.Popen(
            command, stderr=subprocess.PIPE, text=True, env=environment(), cwd=ROOT
        )
        assert self.process.stderr is not None
        line = self.process.stderr.readline()
        found = re.search(r"on (http://127\.0\.0\.1:\d+) ", line)
        if not found:
            self.process.kill()
            sys.exit(f"the server did not start: {line}{self.process.stderr.read()}")
        self.url = found.group(1)

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(60)


def run_clients(url: str, sentences: list[str], clients: int) -> tuple[float, list[float]]:
    """``clients`` threads, each posting one sentence a request from a shared queue until it
    is empty: the wall time and every request's latency."""
    import httpx

    work: queue.Queue[str] = queue.Queue()
    for sentence in sentences:
        work.put(sentence)
    latencies: list[float] = []
    failures: list[str] = []

    def client() -> None:
        with httpx.Client(timeout=600) as http:
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
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    if failures:
        sys.exit(f"{len(failures)} requests failed, e.g. {failures[0]}")
    return wall, latencies


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
    parser.add_argument("--rounds", type=int, default=3, help="times through the article")
    parser.add_argument("--requests", type=int, default=10_000, help="for the memory run")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()

    subprocess.run(
        [sys.executable, str(Path(speed.__file__).resolve()), "_prepare", str(args.data)],
        check=True,
    )
    os.environ.update(environment())
    article = speed.article_file(args.data, args.sentences)
    lines = [line for line in article.read_text(encoding="utf-8").splitlines() if line]
    text = article.read_text(encoding="utf-8")
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load {speed.load()}, nice {os.nice(0)}"
    )
    print(f"# {len(lines)} sentences, every output decoded to its cap; flags {' '.join(FLAGS)}")

    # --- the CLI's throughput on the article as one document --------------------------------
    from translate_cli.config import Settings
    from translate_cli.engines.base import translations
    from translate_cli.pipeline import Pipeline

    settings = Settings(model=str(speed.MODEL), no_memory=True, guard=False, keep_names=False)
    pipeline = Pipeline(settings)
    pipeline.translate(text)  # load and warm
    document_seconds = median_time(lambda: pipeline.translate(text), args.rounds)
    cli_rate = len(lines) / document_seconds
    command = speed.contender_command("ours", article)
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
        with httpx.Client() as http:  # one client: making one (its TLS context) costs ~20 ms
            health = [median_time(lambda: http.get(f"{server.url}/health"), 1) for _ in range(40)]
        # One client, one sentence a request, alternating with the same sentence decoded
        # alone in this process through the library: paired, so that the load's drift on a
        # shared host cancels out of the difference.
        latencies, decode_alone, library = [], [], []
        with httpx.Client() as http:
            for line in lines:
                decode_alone.append(
                    median_time(
                        lambda line=line: list(translations(pipeline.translator, [line])), 1
                    )
                )
                library.append(median_time(lambda line=line: pipeline.translate(line), 1))
                fields = {"q": line, "source": "id", "target": "en"}
                latencies.append(
                    median_time(
                        lambda fields=fields: http.post(f"{server.url}/translate", data=fields), 1
                    )
                )

        def paired(baseline: list[float]) -> float:
            return statistics.median(a - b for a, b in zip(latencies, baseline, strict=True))

        print(
            f"latency, 1 client, one sentence a request (median of {len(latencies)}): "
            f"{statistics.median(latencies) * 1000:7.1f} ms; in-process, the same sentences "
            f"decoded alone: {statistics.median(decode_alone) * 1000:7.1f} ms (paired "
            f"difference {paired(decode_alone) * 1000:+6.1f} ms), through Pipeline.translate: "
            f"{statistics.median(library) * 1000:7.1f} ms (paired difference "
            f"{paired(library) * 1000:+6.1f} ms); /health round trip: "
            f"{statistics.median(health) * 1000:5.1f} ms"
        )
        for clients in (1, 8, 32):
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
                f"{decoded / max(calls, 1):4.1f} sentences an engine call"
            )
        pipeline.close()
        if args.requests:
            done, samples = 0, [(0, server.rss_mb())]
            started = time.perf_counter()
            while done < args.requests:
                step = min(1000, args.requests - done)
                short = [f"Berita nomor {done + n} hari ini." for n in range(step)]
                run_clients(server.url, short, 32)
                done += step
                samples.append((done, server.rss_mb()))
            seconds = time.perf_counter() - started
            shown = ", ".join(f"{n}: {mb:.0f}" for n, mb in samples)
            print(f"server RSS (MB) after N short requests (32 clients, {seconds:.0f} s): {shown}")
            first, last = samples[1][1], samples[-1][1]
            peak = max(mb for _, mb in samples)
            print(
                f"RSS growth from request 1,000 to {done:,}: {last - first:+.1f} MB "
                f"({(last - first) / first * 100:+.1f}%), peak {peak:.0f} MB"
            )
    finally:
        server.stop()
    print(f"# load {speed.load()}")


if __name__ == "__main__":
    main()
