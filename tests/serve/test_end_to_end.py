"""The server over a real (tiny, random-weight) model: what the library gives, over HTTP."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from libretranslatepy import LibreTranslateAPI

from tests.serve.helpers import serving
from translate_cli.config import Settings
from translate_cli.engines import open_translator
from translate_cli.pipeline import Pipeline

pytestmark = pytest.mark.slow

SENTENCES = [f"Harga beras naik {n} persen di pasar Semarang pada hari Senin." for n in range(12)]


def test_a_real_model_answers_as_the_library_does(tiny_model: Path) -> None:
    settings = Settings(model=str(tiny_model), no_memory=True)
    with Pipeline(settings) as pipeline:
        expected = pipeline.translate(SENTENCES[0]).sentences[0].translation
    engine = open_translator(settings)  # as Service.open loads it
    with serving(engine, settings=settings) as (url, service):
        assert service.engine.name == "ctranslate2"
        assert LibreTranslateAPI(url).translate(SENTENCES[0], "id", "en") == expected

        def ask(sentence: str) -> int:
            reply = httpx.post(
                f"{url}/translate", json={"q": sentence, "source": "id", "target": "en"}
            )
            return reply.status_code if reply.json()["translatedText"] else 0

        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(ask, SENTENCES)) == [200] * len(SENTENCES)
        assert service.batcher.sentences == 1 + len(SENTENCES)
