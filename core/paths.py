"""Where the project's files live. Every path can be overridden from the environment."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Optional

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def project_path(env_var: str, default_relative: str, env: Optional[Mapping[str, str]] = None) -> Path:
    """The path named by `env_var` in `env`, else `default_relative` under the project root.

    Without `env` the process environment is read: the callers are loaders that the
    Rasa and action-server processes run at start (their entry point is Rasa's).
    """
    source = os.environ if env is None else env
    value = source.get(env_var)
    return Path(value) if value else PROJECT_ROOT / default_relative
