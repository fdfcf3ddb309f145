"""The LLM summariser against a real HTTP server on 127.0.0.1 and a tiny local causal LM.

``stub`` is an OpenAI-style chat-completions server in a thread: it records every request and
answers from a script, so each failure a real server can produce (refused, 500, 429, slow,
not JSON) is reproduced over real sockets. Nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS
from translate_cli.errors import ExitStatus, ModelUnavailableError, RuntimeFailure, UsageError
from translate_cli.prompts import SUMMARY_EN, SUMMARY_ID, SYSTEM, load_prompts
from translate_cli.segment import segment
from translate_cli.summarize.llm import (
    API_KEY_ENV,
    ChatMessage,
    HTTPChatClient,
    LocalTextGenerationClient,
    _format_chat,
    chat_completions_url,
    make_client,
    summarize_with_llm,
)

ARTICLE = "\n\n".join([" ".join(CORPUS[0:3]), " ".join(CORPUS[3:6])])
LEFTOVER = re.compile(r"\$(?:\{?[A-Za-z_])")
MESSAGES: list[ChatMessage] = [{"role": "user", "content": "Ringkas: banjir di Jakarta."}]
SECRET = "sk-test-3f9a1c-secret"


# --- the stub server ------------------------------------------------------------------------
@dataclass
class Reply:
    status: int = 200
    body: bytes | dict[str, Any] | None = None  # None: a chat completion saying `content`
    content: str = "Ringkasan."
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hang_up: bool = False  # close the connection without answering


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    def user_prompt(self) -> str:
        return str(self.body["messages"][-1]["content"])


def completion(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
    }


class Stub:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.script: list[Reply] = []  # consumed first, then `default` answers
        self.default: Callable[[Recorded], Reply] = lambda request: Reply()
        self.url = ""

    def next_reply(self, request: Recorded) -> Reply:
        self.requests.append(request)
        return self.script.pop(0) if self.script else self.default(request)


@pytest.fixture
def stub() -> Iterator[Stub]:
    state = Stub()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            request = Recorded(self.path, dict(self.headers.items()), json.loads(raw))
            reply = state.next_reply(request)
            time.sleep(reply.delay)
            if reply.hang_up:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            body = reply.body if reply.body is not None else completion(reply.content)
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            with contextlib.suppress(OSError):  # the client may have timed out and left
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False  # a deliberately slow handler must not hold up teardown
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def no_keys_or_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("OPENAI_API_KEY", "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(key, raising=False)


def client(url: str, **options: Any) -> tuple[HTTPChatClient, list[float]]:
    """A client whose backoff sleeps are recorded, not slept."""
    slept: list[float] = []
    options = {"timeout": 5.0, "retries": 2, "backoff": 0.01, **options}
    return HTTPChatClient(url, "stub-model", sleep=slept.append, **options), slept


def by_language(request: Recorded) -> Reply:
    prompt = request.user_prompt()
    return Reply(content="ABSTRAK-ID" if "Bahasa Indonesia" in prompt else "ABSTRACT-EN")


# --- over HTTP ------------------------------------------------------------------------------
def test_rendered_prompts_reach_the_server_and_answers_the_summary(stub: Stub) -> None:
    stub.default = by_language
    document = segment(ARTICLE)
    translations = [f"English sentence {s.index}." for s in document.sentences]
    prompts = load_prompts()
    summary = summarize_with_llm(
        document,
        translations,
        client(stub.url)[0],
        prompt_en=prompts[SUMMARY_EN],
        prompt_id=prompts[SUMMARY_ID],
        system=prompts[SYSTEM],
        sentences=2,
    )

    assert (summary.source, summary.translation, summary.model) == (
        "ABSTRAK-ID",
        "ABSTRACT-EN",
        "stub-model",
    )
    item = summary.summary_items()[0]
    assert (item.index, item.source, item.translation) == (None, "ABSTRAK-ID", "ABSTRACT-EN")
    assert len(stub.requests) == 2
    for request in stub.requests:
        assert request.path == "/v1/chat/completions"
        assert request.body["model"] == "stub-model"
        assert request.body["stream"] is False
        assert request.body["max_tokens"] > 0
        assert [m["role"] for m in request.body["messages"]] == ["system", "user"]
        for message in request.body["messages"]:
            assert not LEFTOVER.search(message["content"]), message["content"]
        prompt = request.user_prompt()
        assert all(sentence in prompt for sentence in CORPUS[:6])
        assert "at most 2 sentences" in prompt
        assert "Authorization" not in request.headers
    english = next(r for r in stub.requests if "Bahasa Indonesia" not in r.user_prompt())
    assert "English sentence 0. English sentence 1." in english.user_prompt()


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/chat/completions"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1/chat/completions"),
        ("http://h:11434/v1/", "http://h:11434/v1/chat/completions"),
        ("https://api.example/openai/v1", "https://api.example/openai/v1/chat/completions"),
        ("https://h/x/chat/completions", "https://h/x/chat/completions"),
    ],
)
def test_endpoint_from_url(url: str, endpoint: str) -> None:
    assert chat_completions_url(url) == endpoint


def test_bad_url_and_missing_model_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="http"):
        chat_completions_url("127.0.0.1:8080")
    with pytest.raises(UsageError, match="--llm-model"):
        make_client("http://127.0.0.1:1", None)
    with pytest.raises(UsageError, match="--llm-model"):
        make_client(None, None)


def test_api_key_is_sent_as_bearer_and_never_shown(
    stub: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(API_KEY_ENV, SECRET)
    assert client(stub.url)[0].complete(MESSAGES, max_tokens=8) == "Ringkasan."
    assert stub.requests[-1].headers["Authorization"] == f"Bearer {SECRET}"

    # A server that echoes the key in its error must not get it onto the terminal.
    echo = {"error": {"message": f"Incorrect API key provided: {SECRET}"}}
    stub.script = [Reply(status=401, body=echo)]
    with pytest.raises(RuntimeFailure) as caught:
        client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    assert "401" in caught.value.message
    assert "Incorrect API key" in caught.value.message
    assert SECRET not in caught.value.message
    assert SECRET not in repr(client(stub.url)[0])


def test_openai_key_is_the_fallback(stub: Stub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fallback")
    client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    assert stub.requests[-1].headers["Authorization"] == "Bearer sk-fallback"


def test_dead_port_fails_at_once_with_one_line() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    http, slept = client(f"http://127.0.0.1:{port}")
    with pytest.raises(RuntimeFailure, match="connection refused") as caught:
        http.complete(MESSAGES, max_tokens=8)
    assert caught.value.exit_status == ExitStatus.FAILURE
    assert "\n" not in caught.value.message
    assert slept == []


def test_500_is_retried_with_backoff_then_fails(stub: Stub) -> None:
    stub.default = lambda request: Reply(status=500, body={"error": {"message": "CUDA OOM"}})
    http, slept = client(stub.url, retries=2, backoff=0.01)
    with pytest.raises(RuntimeFailure, match=r"HTTP 500: CUDA OOM \(3 tries\)") as caught:
        http.complete(MESSAGES, max_tokens=8)
    assert caught.value.exit_status == ExitStatus.FAILURE
    assert len(stub.requests) == 3
    assert slept == [0.01, 0.02]


def test_429_then_success_honours_retry_after(stub: Stub) -> None:
    stub.script = [Reply(status=429, body={"error": "slow down"}, headers={"Retry-After": "0"})]
    http, slept = client(stub.url)
    assert http.complete(MESSAGES, max_tokens=8) == "Ringkasan."
    assert len(stub.requests) == 2
    assert slept == [0.0]


def test_retry_after_beyond_the_limit_fails_without_waiting(stub: Stub) -> None:
    stub.script = [Reply(status=503, headers={"Retry-After": "3600"}, body=b"busy")]
    http, slept = client(stub.url, max_wait=30)
    with pytest.raises(RuntimeFailure, match="asks to wait 3600 s"):
        http.complete(MESSAGES, max_tokens=8)
    assert slept == []


def test_dropped_connection_is_retried(stub: Stub) -> None:
    stub.script = [Reply(hang_up=True)]
    http, slept = client(stub.url)
    assert http.complete(MESSAGES, max_tokens=8) == "Ringkasan."
    assert len(stub.requests) == 2
    assert len(slept) == 1


def test_client_errors_are_not_retried(stub: Stub) -> None:
    stub.default = lambda request: Reply(status=404, body={"error": {"message": "model not found"}})
    with pytest.raises(RuntimeFailure, match="HTTP 404: model not found; is this an OpenAI"):
        client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    assert len(stub.requests) == 1


def test_timeout_gives_a_one_line_error(stub: Stub) -> None:
    stub.default = lambda request: Reply(delay=1.0)
    http, _ = client(stub.url, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(RuntimeFailure, match=r"no answer within 0.2 s; raise --llm-timeout"):
        http.complete(MESSAGES, max_tokens=8)
    assert time.monotonic() - started < 1.0
    assert len(stub.requests) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>502 Bad Gateway</html>", "not JSON: <html>502 Bad Gateway</html>"),
        (b"", "not JSON: an empty body"),
        ({"object": "list", "data": []}, r"no chat completion \(no choices"),
        ({"error": {"message": "context too long"}}, "no chat completion: context too long"),
        (completion("   "), "empty answer"),
        (completion("<think>hmm</think>\n"), "empty answer"),
        (completion("<think>I should first list every"), "empty answer"),
    ],
)
def test_nonsense_answers_fail_with_one_line(
    stub: Stub, body: bytes | dict[str, Any], message: str
) -> None:
    stub.default = lambda request: Reply(body=body)
    with pytest.raises(RuntimeFailure, match=message) as caught:
        client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    assert caught.value.exit_status == ExitStatus.FAILURE
    assert "\n" not in caught.value.message


def test_answer_is_cleaned(stub: Stub) -> None:
    parts = [{"type": "text", "text": "Banjir "}, {"type": "text", "text": "surut."}]
    stub.script = [
        Reply(content="<think>plan the abstract</think>\n\n  Banjir surut.  "),
        Reply(body={"choices": [{"message": {"role": "assistant", "content": parts}}]}),
    ]
    http, _ = client(stub.url)
    assert http.complete(MESSAGES, max_tokens=8) == "Banjir surut."
    assert http.complete(MESSAGES, max_tokens=8) == "Banjir surut."


# --- in this process ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random GPT-2 (1 layer, 16 wide) with a word-level tokenizer trained on CORPUS.

    Its generation config has no end-of-sequence token and suppresses the special tokens, so
    generation always runs to its cap (checked exactly) and never decodes to nothing.
    """
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    out = tmp_path_factory.mktemp("tiny-lm")
    words = Tokenizer(models.WordLevel(unk_token="<unk>"))
    words.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.WordLevelTrainer(special_tokens=["<unk>", "<pad>", "</s>"])
    words.train_from_iterator(CORPUS, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=words, unk_token="<unk>", pad_token="<pad>", eos_token="</s>"
    )
    tokenizer.save_pretrained(out)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=96,
        n_embd=16,
        n_layer=1,
        n_head=2,
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    model = GPT2LMHeadModel(config)
    model.generation_config.eos_token_id = None
    model.generation_config.suppress_tokens = tokenizer.all_special_ids
    model.save_pretrained(out)
    return out


def test_local_model_answers_within_max_tokens(tiny_lm: Path) -> None:
    local = LocalTextGenerationClient(str(tiny_lm))
    answer = local.complete(MESSAGES, max_tokens=5)
    assert isinstance(answer, str)
    assert answer
    assert local.last_completion_tokens == 5
    # The cap shrinks to what the context has left instead of crashing past it.
    local.complete(MESSAGES, max_tokens=500)
    assert local.last_prompt_tokens + local.last_completion_tokens == 96


def test_local_model_summarises_and_rejects_an_overlong_prompt(tiny_lm: Path) -> None:
    local = LocalTextGenerationClient(str(tiny_lm))
    prompts = load_prompts()
    summary = summarize_with_llm(
        segment(CORPUS[0]),
        None,
        local,
        prompt_en=prompts[SUMMARY_EN],
        prompt_id=prompts[SUMMARY_ID],
        sentences=1,
        max_tokens=4,
    )
    assert summary.source
    assert summary.translation
    assert summary.model == str(tiny_lm)
    with pytest.raises(RuntimeFailure, match="reads at most 96"):
        summarize_with_llm(
            segment(" ".join(CORPUS)),
            None,
            local,
            prompt_en=prompts[SUMMARY_EN],
            prompt_id=prompts[SUMMARY_ID],
            sentences=1,
        )


def test_chat_template_is_used_and_a_rejected_system_role_folded_in(tiny_lm: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_lm)
    messages: list[ChatMessage] = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Banjir."},
    ]
    assert _format_chat(tokenizer, messages) == ("Be brief.\n\nBanjir.\n\n", True)
    tokenizer.chat_template = (
        "{% for m in messages %}"
        "{% if m.role == 'system' %}{{ raise_exception('no system role') }}{% endif %}"
        "<{{ m.role }}>{{ m.content }}{% endfor %}"
        "{% if add_generation_prompt %}<assistant>{% endif %}"
    )
    text, special = _format_chat(tokenizer, messages)
    assert (text, special) == ("<user>Be brief.\n\nBanjir.<assistant>", False)


def test_unavailable_local_models_exit_3(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for name in (str(tmp_path / "absent"), "someone/not-cached-lm", str(tmp_path / "empty")):
        with pytest.raises(ModelUnavailableError) as caught:
            LocalTextGenerationClient(name).complete(MESSAGES, max_tokens=2)
        assert caught.value.exit_status == ExitStatus.MODEL_UNAVAILABLE
        assert "\n" not in caught.value.message


# --- the command ----------------------------------------------------------------------------
def summarize_cli(article: Path, *args: str) -> Any:
    from typer.testing import CliRunner

    from translate_cli.cli import app

    command = ["summarize", str(article), "--summarizer", "llm", "--llm-model", "stub", *args]
    return CliRunner().invoke(app, command, catch_exceptions=False)


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "artikel.txt"
    path.write_text(ARTICLE + "\n", encoding="utf-8")
    return path


def test_cli_llm_summary_without_translation(stub: Stub, article: Path) -> None:
    stub.default = by_language
    result = summarize_cli(article, "--llm-url", stub.url, "--no-translate", "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"] == [{"index": None, "source": "ABSTRAK-ID", "translation": None}]
    assert report["model"] is None
    assert [s["source"] for s in report["sentences"]] == [
        s.text for s in segment(ARTICLE).sentences
    ]
    assert set(report) == {"model", "title", "sentences", "summary"}
    # --no-translate means Indonesian only: one request, for the Indonesian abstract.
    assert len(stub.requests) == 1
    prompt = stub.requests[0].user_prompt()
    assert "Bahasa Indonesia" in prompt
    assert CORPUS[0] in prompt
    assert not LEFTOVER.search(prompt)


def test_cli_llm_summary_with_translation(stub: Stub, article: Path, tiny_model: Path) -> None:
    stub.default = by_language
    base = ["--llm-url", stub.url, "--model", str(tiny_model)]
    report = json.loads(summarize_cli(article, *base, "--format", "json", "-n", "2").stdout)
    assert report["summary"] == [
        {"index": None, "source": "ABSTRAK-ID", "translation": "ABSTRACT-EN"}
    ]
    assert report["model"] == str(tiny_model)
    translations = [s["translation"] for s in report["sentences"]]
    assert all(isinstance(t, str) for t in translations)
    english = next(r for r in stub.requests if "Bahasa Indonesia" not in r.user_prompt())
    assert " ".join(translations[:3]) in english.user_prompt()
    assert "at most 2 sentences" in english.user_prompt()

    markdown = summarize_cli(article, *base, "--format", "markdown").stdout
    assert "\nABSTRACT-EN\n" in markdown  # prose, not a bulleted quote
    assert "- ABSTRACT-EN" not in markdown


def test_cli_prompt_option_and_config_dir_templates(
    stub: Stub, article: Path, tmp_path: Path, isolated_env: Path
) -> None:
    user = isolated_env / "config" / "prompts"
    user.mkdir(parents=True)
    (user / "system.txt").write_text("", encoding="utf-8")  # empty: no system message
    mine = tmp_path / "summary-id.txt"
    mine.write_text("RINGKAS $sentences: $article", encoding="utf-8")
    result = summarize_cli(
        article, "--llm-url", stub.url, "--no-translate", "--prompt", str(mine), "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    (request,) = stub.requests
    assert [m["role"] for m in request.body["messages"]] == ["user"]
    assert request.user_prompt().startswith(f"RINGKAS 3: {CORPUS[0]}")


@pytest.mark.parametrize(
    ("reply", "options", "message"),
    [
        (None, (), "connection refused"),
        (Reply(status=500, headers={"Retry-After": "0"}), (), "HTTP 500"),
        (Reply(delay=1.0), ("--llm-timeout", "0.2"), "no answer within 0.2 s"),
        (Reply(body=b"{'choices': nonsense"), (), "not JSON"),
    ],
    ids=["dead-port", "500", "timeout", "malformed-json"],
)
def test_cli_server_failures_exit_1_with_one_line(
    stub: Stub, article: Path, reply: Reply | None, options: tuple[str, ...], message: str
) -> None:
    url = stub.url
    if reply is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{s.getsockname()[1]}"
    else:
        stub.default = lambda request: reply
    result = summarize_cli(article, "--llm-url", url, "--no-translate", *options)
    assert result.exit_code == ExitStatus.FAILURE
    assert result.stdout == ""
    assert result.stderr.startswith("translate-cli: error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_cli_usage_errors_exit_2_and_missing_local_model_3(article: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from translate_cli.cli import app

    bad = tmp_path / "summary-en.txt"
    bad.write_text("Summarise $artikel", encoding="utf-8")
    for options, message in [
        (["--llm-url", "http://127.0.0.1:9", "--prompt", str(bad)], "$artikel"),
        (["--prompt", str(tmp_path / "notes.txt")], "cannot tell which prompt"),
        (["--llm-url", "ftp://127.0.0.1"], "http:// or https://"),
    ]:
        result = summarize_cli(article, *options)
        assert result.exit_code == ExitStatus.USAGE, result.stderr
        assert message in result.stderr

    no_model = ["summarize", str(article), "--summarizer", "llm", "--llm-url", "http://h"]
    result = CliRunner().invoke(app, no_model, catch_exceptions=False)
    assert result.exit_code == ExitStatus.USAGE
    assert "--llm-url needs --llm-model" in result.stderr

    extractive = ["summarize", str(article), "--llm-url", "http://127.0.0.1:9"]
    result = CliRunner().invoke(app, extractive, catch_exceptions=False)
    assert result.exit_code == ExitStatus.USAGE
    assert "--llm-url needs --summarizer llm" in result.stderr

    result = summarize_cli(article, "--no-translate", "--llm-model", str(tmp_path / "no-model"))
    assert result.exit_code == ExitStatus.MODEL_UNAVAILABLE
    assert "no such directory" in result.stderr
