"""Shared fixtures: an isolated environment and a tiny random MarianMT model in OPUS-MT layout.

No test touches the network: the hub cache points at a temporary folder, HF_HUB_OFFLINE is set,
and HF_ENDPOINT points at a closed local port for the tests that try a download.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

# Our own Indonesian sentences: enough text to train a tiny sentencepiece model.
CORPUS = [
    "Walikota Malang, H. Sutiaji, memenuhi undangan PT. Telekomunikasi Indonesia di Jakarta.",
    "Pemerintah kota berencana membangun taman baru di pusat kota tahun depan.",
    "Harga beras naik 3,5 persen menjadi Rp 12.500 per kilogram pada bulan Mei.",
    "Presiden meresmikan jalan tol sepanjang 40 kilometer pada hari Rabu (17/5).",
    "Banjir merendam ratusan rumah warga di Kecamatan Sukajadi sejak Senin pagi.",
    "Menurut Prof. Dr. Siti Aminah, kebijakan itu perlu dievaluasi kembali.",
    "Tim nasional Indonesia menang 2-1 atas Malaysia dalam pertandingan semalam.",
    "Kepala dinas kesehatan meminta masyarakat tetap menjaga pola hidup sehat.",
    "Bank Indonesia mempertahankan suku bunga acuan di level 5,75 persen.",
    "Para petani berharap hujan segera turun agar sawah mereka tidak kekeringan.",
    "Gempa berkekuatan 5,2 magnitudo mengguncang wilayah selatan Jawa Barat.",
    "Sekolah-sekolah akan kembali dibuka setelah libur panjang berakhir.",
    "Polisi masih menyelidiki penyebab kebakaran di pasar tradisional itu.",
    "Acara tersebut dihadiri oleh ribuan warga dari berbagai daerah.",
    "Kementerian Keuangan mencatat penerimaan pajak meningkat tajam.",
    "Warga diminta untuk tidak panik dan mengikuti arahan petugas.",
    "Pembangunan jembatan itu ditargetkan selesai pada akhir tahun 2024.",
    "Ia mengatakan bahwa kerja sama ini akan menguntungkan kedua belah pihak.",
    "Festival budaya digelar di alun-alun kota selama tiga hari berturut-turut.",
    "Jumlah wisatawan asing yang datang ke Bali terus bertambah.",
    "Apakah kebijakan baru ini akan berhasil? Banyak pihak masih meragukannya!",
    "“Kami sangat senang dengan hasil ini,” kata ketua panitia kepada wartawan.",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty hub cache, config dir and converted-model cache."""
    for key in list(os.environ):
        if key.startswith("TRANSLATE_CLI_"):
            monkeypatch.delenv(key)
    home = tmp_path / "env"
    monkeypatch.setenv("HF_HOME", str(home / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_free_port()}")
    monkeypatch.setenv("TRANSLATE_CLI_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("TRANSLATE_CLI_CACHE_DIR", str(home / "cache"))
    return home


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight MarianMT model in OPUS-MT layout (d_model 16), built once a session."""
    from translate_cli.testing import build_marian_model

    return build_marian_model(tmp_path_factory.mktemp("tiny-opus-mt") / "model", CORPUS)


def install_in_hub_cache(model_dir: Path, hf_home: Path, repo_id: str) -> Path:
    """Lay ``model_dir`` out as the hub cache would after a download of ``repo_id``."""
    repo = hf_home / "hub" / ("models--" + repo_id.replace("/", "--"))
    revision = "0123456789abcdef0123456789abcdef01234567"
    snapshot = repo / "snapshots" / revision
    blobs = repo / "blobs"
    snapshot.mkdir(parents=True)
    blobs.mkdir(parents=True)
    for index, file in enumerate(sorted(model_dir.iterdir())):
        blob = blobs / f"{index:040x}"
        shutil.copyfile(file, blob)
        (snapshot / file.name).symlink_to(os.path.relpath(blob, snapshot))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(revision)
    return snapshot
