"""Environment for running the ML stack offline and quietly (one place for the settings)."""
from __future__ import annotations

import os

OFFLINE_QUIET_ENV = {
    "HF_HUB_OFFLINE": "1",  # never reach a model hub: weights come from installed packages
    "TRANSFORMERS_OFFLINE": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TOKENIZERS_PARALLELISM": "false",
}


def offline_quiet_env() -> None:
    """Set the variables above unless already set; call before transformers or TensorFlow
    are imported (huggingface_hub reads them at import)."""
    for name, value in OFFLINE_QUIET_ENV.items():
        os.environ.setdefault(name, value)
