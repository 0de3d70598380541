"""Where the project's files live. Every path can be overridden from the environment."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def project_path(env_var: str, default_relative: str) -> Path:
    """The path named by `env_var`, else `default_relative` under the project root."""
    value = os.environ.get(env_var)
    return Path(value) if value else PROJECT_ROOT / default_relative
