"""Translation models as files: where they are, what family they are, whether they are whole.

- ``hub``: finding, fetching, listing and removing models in the Hugging Face cache;
- ``family``: the model families (MarianMT, NLLB-200, M2M100) and how to tell them apart,
  one module a family beside it (``marian``, ``nllb``, ``m2m100``; ``marian_codec`` reads
  Marian's tokenizer files without transformers);
- ``files``: checks of a model's files, ending in one clear error naming the damaged file;
- ``conversions``: the CTranslate2 conversions of those models, cached and checked.

Nothing here runs a model: that is ``engines``, the layer above.
"""

from translate_cli.models.family import check_model_dir
from translate_cli.models.files import damaged_file_error, model_load_error
from translate_cli.models.hub import (
    CachedModel,
    cached_model_path,
    cached_snapshot,
    files_to_fetch,
    hub_offline,
    is_model_dir,
    list_models,
    looks_like_path,
    pull_model,
    remove_model,
    resolve_model,
)
from translate_cli.paths import hub_cache_dir

__all__ = [
    "CachedModel",
    "cached_model_path",
    "cached_snapshot",
    "check_model_dir",
    "damaged_file_error",
    "files_to_fetch",
    "hub_cache_dir",
    "hub_offline",
    "is_model_dir",
    "list_models",
    "looks_like_path",
    "model_load_error",
    "pull_model",
    "remove_model",
    "resolve_model",
]
