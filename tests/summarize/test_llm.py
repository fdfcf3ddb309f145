"""The LLM summariser, the local text-generation client and the command.

The summariser and command tests talk to the stub chat-completions server of
``tests/llm/test_http.py`` on 127.0.0.1; the local tests build a tiny causal LM. Nothing leaves
the machine.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS
from tests.helpers import invoke
from tests.llm.test_http import (
    MESSAGES,
    Reply,
    Stub,
    by_language,
    clear_keys_and_proxies,
    client,
    serve,
)
from translate_cli.errors import ExitStatus, ModelUnavailableError, RuntimeFailure
from translate_cli.llm import ChatMessage
from translate_cli.llm.http import API_KEY_ENV
from translate_cli.llm.local import LocalTextGenerationClient, format_chat
from translate_cli.prompts import SUMMARY_EN, SUMMARY_ID, SYSTEM, load_prompts
from translate_cli.segment import segment
from translate_cli.summarize import SummaryRequest
from translate_cli.summarize.llm import (
    LLMSummarizer,
    abstract_token_budget,
    max_abstract_chars,
    summarize_with_llm,
)

ARTICLE = "\n\n".join([" ".join(CORPUS[0:3]), " ".join(CORPUS[3:6])])
LEFTOVER = re.compile(r"\$(?:\{?[A-Za-z_])")


@pytest.fixture
def stub() -> Iterator[Stub]:
    with serve() as state:
        yield state


@pytest.fixture(autouse=True)
def no_keys_or_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_keys_and_proxies(monkeypatch)


# --- the summariser -------------------------------------------------------------------------
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


def test_summarizer_from_options_picks_the_client(stub: Stub) -> None:
    stub.default = by_language
    llm = LLMSummarizer.from_options(stub.url, "stub-model", timeout=5.0)
    assert llm.client.name == "stub-model"
    result = llm.summarize(segment(ARTICLE), SummaryRequest(2, None, english=False))
    items = result.items
    assert [(i.index, i.source, i.translation) for i in items] == [(None, "ABSTRAK-ID", None)]
    assert result.title is None or result.title.index == 0
    local = LLMSummarizer.from_options(None, "some/model", device="cpu")
    assert isinstance(local.client, LocalTextGenerationClient)


def test_abstract_far_beyond_the_token_budget_is_refused(stub: Stub) -> None:
    limit = max_abstract_chars(abstract_token_budget(1))
    stub.script = [Reply(content="Banjir. " * (limit // 8 + 1))]
    llm = LLMSummarizer.from_options(stub.url, "stub-model", timeout=5.0)
    with pytest.raises(RuntimeFailure, match="characters for an abstract of at most") as caught:
        llm.summarize(segment(ARTICLE), SummaryRequest(1, None, english=False))
    assert f"the limit is {limit}" in caught.value.message
    # Within the limit, a long answer is still an answer.
    stub.script = [Reply(content="x" * limit)]
    (item,) = llm.summarize(segment(ARTICLE), SummaryRequest(1, None, english=False)).items
    assert len(item.source) == limit


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
    assert format_chat(tokenizer, messages) == ("Be brief.\n\nBanjir.\n\n", True)
    tokenizer.chat_template = (
        "{% for m in messages %}"
        "{% if m.role == 'system' %}{{ raise_exception('no system role') }}{% endif %}"
        "<{{ m.role }}>{{ m.content }}{% endfor %}"
        "{% if add_generation_prompt %}<assistant>{% endif %}"
    )
    text, special = format_chat(tokenizer, messages)
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
    command = ["summarize", str(article), "--summarizer", "llm", "--llm-model", "stub", *args]
    return invoke(*command)


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
    assert set(report) == {"meta", "model", "title", "sentences", "summary"}
    assert report["meta"] == {"language": "id"}  # identified without any model
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
    result = invoke(*no_model)
    assert result.exit_code == ExitStatus.USAGE
    assert "--llm-url needs --llm-model" in result.stderr

    extractive = ["summarize", str(article), "--llm-url", "http://127.0.0.1:9"]
    result = invoke(*extractive)
    assert result.exit_code == ExitStatus.USAGE
    assert "--llm-url needs --summarizer llm" in result.stderr

    result = summarize_cli(article, "--no-translate", "--llm-model", str(tmp_path / "no-model"))
    assert result.exit_code == ExitStatus.MODEL_UNAVAILABLE
    assert "no such directory" in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:99999/v1",
        "http://[::1",
        "localhost:8080",
        "ftp://x",
        "http://user:hunter2@127.0.0.1:9/v1",
    ],
)
def test_cli_bad_llm_url_exits_2_with_one_line(article: Path, url: str) -> None:
    result = summarize_cli(article, "--llm-url", url, "--no-translate")
    assert result.exit_code == ExitStatus.USAGE, result.stderr
    assert result.stderr.startswith("translate-cli: error: --llm-url")
    assert result.stderr.count("\n") == 1
    assert "unexpected" not in result.stderr
    assert "hunter2" not in result.stderr


def test_cli_key_with_a_line_end_works_and_redirects_keep_it(
    stub: Stub, article: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(API_KEY_ENV, "sk-from-a-file-0123456789\r\n")
    stub.default = by_language
    result = summarize_cli(article, "--llm-url", stub.url, "--no-translate", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert stub.requests[-1].headers["Authorization"] == "Bearer sk-from-a-file-0123456789"

    with serve() as other:
        location = f"{other.url}/v1/chat/completions"
        stub.default = lambda request: Reply(status=302, headers={"Location": location}, body=b"")
        result = summarize_cli(article, "--llm-url", stub.url, "--no-translate")
        assert other.requests == []
    assert result.exit_code == ExitStatus.FAILURE
    assert f"redirected (HTTP 302) to {location}" in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_cli_jsonl_record_the_server_rejects_is_that_records_error(
    stub: Stub, tmp_path: Path
) -> None:
    long = "Kalimat yang terlalu panjang untuk model ini."

    def rejecting(request: Any) -> Reply:
        if long in request.user_prompt():
            return Reply(status=400, body={"error": {"message": "maximum context length"}})
        return by_language(request)

    stub.default = rejecting
    data = tmp_path / "records.jsonl"
    records = [{"id": "a", "text": CORPUS[0]}, {"id": "b", "text": long}, {"id": "c", "text": "X."}]
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = summarize_cli(data, "--llm-url", stub.url, "--no-translate", "--input-format", "jsonl")
    assert result.exit_code == ExitStatus.BAD_INPUT, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    assert lines[1]["error"]["status"] == 4 and "HTTP 400" in lines[1]["error"]["message"]
    assert lines[2]["summary"][0]["source"] == "ABSTRAK-ID"
