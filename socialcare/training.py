"""Training the assistant: the full model (`make train`) and a small cached one for tests."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import yaml

from core.paths import PROJECT_ROOT

DOMAIN = PROJECT_ROOT / "bot" / "domain"
DATA = PROJECT_ROOT / "bot" / "data"
CONFIG = PROJECT_ROOT / "config.yml"
# Epochs of the small model `make test` trains (the full model uses config.yml's). The
# intent head skips fine-tuning there (0: logistic regression, seconds instead of minutes);
# its fine-tuning is covered by tests/unit/bot/components/test_intent_head.py.
FAST_EPOCHS = {"DIETClassifier": 30, "TEDPolicy": 20, "SentimentAnalyzer": 1, "MiniLMIntentClassifier": 0}


def fast_config(config: Dict[str, Any], epochs: Optional[Dict[str, int]] = None) -> Dict[str, Any]:
    """A copy of a Rasa config with fewer epochs for the components named in `epochs`."""
    epochs = FAST_EPOCHS if epochs is None else epochs
    out = dict(config)
    for section in ("pipeline", "policies"):
        items: List[Dict[str, Any]] = []
        for item in config.get(section) or []:
            item = dict(item)
            name = str(item.get("name", "")).rsplit(".", 1)[-1]
            if name in epochs:
                item["epochs"] = min(int(item.get("epochs", epochs[name])), epochs[name])
            items.append(item)
        out[section] = items
    return out


def _files(paths: Iterable[Path]) -> List[Path]:
    found: List[Path] = []
    for path in paths:
        found.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return found


def fingerprint(paths: Iterable[Path], extra: str = "") -> str:
    """Hash of file names and contents (and `extra`), to reuse an unchanged model."""
    digest = hashlib.sha256(extra.encode())
    for path in _files(paths):
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def rasa_train(config: Path, out_dir: Path, name: Optional[str] = None) -> Path:
    """Run `rasa train` with the project's domain and data; returns the model path."""
    argv = [
        str(Path(sys.executable).with_name("rasa")), "train",
        "--config", str(config), "--domain", str(DOMAIN), "--data", str(DATA),
        "--out", str(out_dir),
    ]
    if name:
        argv += ["--fixed-model-name", name]
    subprocess.run(argv, cwd=str(PROJECT_ROOT), check=True)
    if name:
        return out_dir / f"{name}.tar.gz"
    return max(out_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)


def train_full(out_dir: Path) -> Path:
    """Train the production model with config.yml."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return rasa_train(CONFIG, out_dir)


def train_fast(out_dir: Path) -> Path:
    """Train (or reuse) the small test model; returns its path under `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load(CONFIG.read_text())
    fast = fast_config(config)
    key = fingerprint([DOMAIN, DATA, PROJECT_ROOT / "bot" / "components", CONFIG], yaml.safe_dump(fast))
    model = out_dir / f"test-{key}.tar.gz"
    if model.exists():
        return model
    for old in out_dir.glob("test-*.tar.gz"):
        old.unlink()
    config_path = out_dir / "config.fast.yml"
    config_path.write_text(yaml.safe_dump(fast, sort_keys=False))
    return rasa_train(config_path, out_dir, name=f"test-{key}")
