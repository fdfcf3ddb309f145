"""Shared fixtures: an isolated environment, the fake engine, and a tiny random MarianMT model.

No test touches the network or the user's folders. Before anything is collected the session
points ``HOME``, the XDG folders, translate-cli's config and cache folders and the hub cache at
a temporary folder (``os.environ`` itself, so module- and session-scoped fixtures and child
processes inherit it); each test then gets its own empty ones on top. ``HF_HUB_OFFLINE`` is set,
and ``HF_ENDPOINT`` points at a closed local port for the tests that try a download.

The engine ``fake`` (``tests/doubles.py``) is registered around every test, and child processes
get it through the plug-in hook (``TRANSLATE_CLI_PLUGINS``). Tests that read ``../shared/data``
carry the ``shared_data`` marker; one line of the summary says whether they had it.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Data kept beside the repository (not in it): FLORES, sample articles, IndoSum.
SHARED_DATA = ROOT.parent / "shared" / "data"
# A CLI run in a child process imports this module, which registers the engine ``fake``.
FAKE_ENGINE_PLUGIN = "tests.fake_engine_plugin"

# The user's folders as translate-cli (paths.py, typer's app dir) and the libraries it drives
# (huggingface_hub, torch) find them, each pointed into the session's temporary folder.
_USER_FOLDERS = {
    "HOME": "home",
    "XDG_CACHE_HOME": "home/.cache",
    "XDG_CONFIG_HOME": "home/.config",
    "XDG_DATA_HOME": "home/.local/share",
    "XDG_STATE_HOME": "home/.local/state",
    "LOCALAPPDATA": "home/AppData/Local",
    "TRANSLATE_CLI_CONFIG_DIR": "config",
    "TRANSLATE_CLI_CACHE_DIR": "cache",
    "HF_HOME": "hf",
}
# Variables that would send the hub cache elsewhere than HF_HOME.
_OTHER_HUB_FOLDERS = (
    "HF_HUB_CACHE",
    "HUGGINGFACE_HUB_CACHE",
    "TRANSFORMERS_CACHE",
    "HF_ASSETS_CACHE",
)

_SESSION_FOLDER = pytest.StashKey[Path]()
_SAVED_ENVIRON = pytest.StashKey[dict[str, str]]()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pytest_configure(config: pytest.Config) -> None:
    """Isolate the whole session from the user's folders before anything runs or is imported."""
    config.stash[_SAVED_ENVIRON] = dict(os.environ)
    folder = config.stash[_SESSION_FOLDER] = Path(tempfile.mkdtemp(prefix="translate-cli-tests-"))
    for key in [k for k in os.environ if k.startswith("TRANSLATE_CLI_")] + list(_OTHER_HUB_FOLDERS):
        os.environ.pop(key, None)  # the user's own settings must not change what tests see
    for key, path in _USER_FOLDERS.items():
        os.environ[key] = str(folder / path)
    (folder / "home").mkdir()
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_ENDPOINT"] = f"http://127.0.0.1:{_free_port()}"
    os.environ["TRANSLATE_CLI_PLUGINS"] = FAKE_ENGINE_PLUGIN
    # Child processes must find ``tests`` (and this checkout's translate_cli) from any folder.
    python_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), python_path) if p)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SAVED_ENVIRON in config.stash:
        saved: dict[str, str] = config.stash[_SAVED_ENVIRON]
        os.environ.clear()
        os.environ.update(saved)
    if _SESSION_FOLDER in config.stash:
        shutil.rmtree(config.stash[_SESSION_FOLDER], ignore_errors=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line about the tests that read ../shared/data: used, or skipped and why."""
    ran: set[str] = set()
    skipped: set[str] = set()
    for category, reports in terminalreporter.stats.items():
        for report in reports:  # "deselected" holds items, "warnings" warnings: not runs
            if not isinstance(report, pytest.TestReport) or "shared_data" not in report.keywords:
                continue
            (skipped if category == "skipped" else ran).add(report.nodeid)
    ran -= skipped
    if not ran and not skipped:
        return
    where = os.path.relpath(SHARED_DATA, terminalreporter.config.rootpath)
    if SHARED_DATA.is_dir():
        line = f"shared data: {_tests(len(ran))} used {where}"
        if skipped:
            line += f", {_tests(len(skipped))} skipped (a file they read is missing)"
    else:
        line = f"shared data: {_tests(len(skipped))} skipped, {where} not found"
        if ran:
            line += f" ({_tests(len(ran))} ran on stand-in data instead)"
    terminalreporter.write_line(line, yellow=bool(skipped))


def _tests(count: int) -> str:
    return f"{count} test" if count == 1 else f"{count} tests"


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
    monkeypatch.setenv("TRANSLATE_CLI_PLUGINS", FAKE_ENGINE_PLUGIN)
    return home


@pytest.fixture(autouse=True)
def registered_fake_engine() -> Iterator[None]:
    """The engine ``fake`` for every test in this process, unregistered after it."""
    from tests.doubles import fake_engine_registered

    with fake_engine_registered():
        yield


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight MarianMT model in OPUS-MT layout (d_model 16), built once a session."""
    from tools.model_builders import build_marian_model

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
