"""MiniLMFeaturizer: Rasa glue around the MiniLM encoder, with a real LocalModelStorage."""
import json

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.minilm.component import (
    FINGERPRINT_FILE,
    MINILM_EMBEDDING,
    EncoderChanged,
    MiniLMFeaturizer,
)
from bot.components.minilm.model import default_model_dir, get_encoder

TEXTS = ["where is my bag", "my flight was cancelled, refund please", "thanks, lovely crew!"]


def _config(**overrides):
    return {**MiniLMFeaturizer.get_default_config(), **overrides}


def _context():
    return ExecutionContext(GraphSchema({}), node_name="minilm_featurizer")


@pytest.fixture
def storage(tmp_path):
    path = tmp_path / "storage"
    path.mkdir()
    return LocalModelStorage.create(path)


@pytest.fixture
def resource():
    return Resource("train_MiniLMFeaturizer1")


@pytest.fixture
def featurizer(storage, resource):
    return MiniLMFeaturizer.create(_config(), storage, resource, _context())


def _sentence_feature(message):
    features = [f for f in message.features if f.attribute == TEXT]
    assert len(features) == 1
    feature = features[0]
    assert feature.type == FEATURE_TYPE_SENTENCE and feature.is_dense()
    return feature.features


def test_process_adds_a_384_dense_sentence_feature_and_keeps_the_embedding(featurizer):
    message = Message(data={TEXT: TEXTS[0]})
    featurizer.process([message])
    vector = _sentence_feature(message)
    assert vector.shape == (1, 384) and vector.dtype == np.float32
    _, dense_sentence = message.get_dense_features(TEXT)
    assert dense_sentence is not None and dense_sentence.features.shape == (1, 384)
    seq, _ = message.get_dense_features(TEXT)
    assert seq is None  # sentence-level only; DIET gets sequence features from CountVectors
    embedding = message.get(MINILM_EMBEDDING)
    assert np.array_equal(embedding, vector[0])
    assert MINILM_EMBEDDING not in message.as_dict(only_output_properties=True)
    assert np.array_equal(embedding, get_encoder().encode_one(TEXTS[0]))


def test_blank_text_gets_a_zero_feature_and_no_text_gets_none(featurizer):
    blank = Message(data={TEXT: "  "})
    intent_only = Message(data={INTENT: "greet"})
    featurizer.process([blank, intent_only])
    assert not _sentence_feature(blank).any()
    assert intent_only.features == []


def test_training_data_gets_the_vectors_inference_computes(featurizer):
    examples = [Message(data={TEXT: t, INTENT: "x"}) for t in TEXTS]
    featurizer.process_training_data(TrainingData(examples))
    for example, text in zip(examples, TEXTS):
        single = Message(data={TEXT: text})
        featurizer.process([single])
        assert np.array_equal(_sentence_feature(example), _sentence_feature(single))


def test_persist_and_load_round_trip_gives_identical_features(featurizer, storage, resource):
    assert featurizer.train(TrainingData([Message(data={TEXT: TEXTS[0], INTENT: "x"})])) == resource
    before = [Message(data={TEXT: t}) for t in TEXTS]
    featurizer.process(before)

    loaded = MiniLMFeaturizer.load(_config(), storage, resource, _context())
    after = [Message(data={TEXT: t}) for t in TEXTS]
    loaded.process(after)
    for b, a in zip(before, after):
        assert np.array_equal(_sentence_feature(b), _sentence_feature(a))


def test_load_fails_loudly_when_the_encoder_folder_changed(tmp_path, storage, resource):
    source = default_model_dir()
    folder = tmp_path / "brand-encoder"
    folder.mkdir()
    (folder / "config.json").write_bytes((source / "config.json").read_bytes())
    config = _config(model_path=str(folder))
    MiniLMFeaturizer.create(config, storage, resource, _context()).persist()

    changed = json.loads((folder / "config.json").read_text())
    changed["num_hidden_layers"] = 3
    (folder / "config.json").write_text(json.dumps(changed))
    with pytest.raises(EncoderChanged, match="changed since training"):
        MiniLMFeaturizer.load(config, storage, resource, _context())


def test_load_without_a_persisted_fingerprint_fails(storage):
    with pytest.raises(EncoderChanged, match="no encoder fingerprint"):
        MiniLMFeaturizer.load(_config(), storage, Resource("never_trained"), _context())


def test_fingerprint_file_is_small_json(featurizer, storage, resource):
    featurizer.persist()
    with storage.read_from(resource) as directory:
        payload = json.loads((directory / FINGERPRINT_FILE).read_text())
    assert payload["version"] == 1
    assert payload["encoder"]["name"] == "model"
    assert len(payload["encoder"]["config_sha256"]) == 64


@pytest.mark.parametrize(
    "overrides",
    [{"max_length": 0}, {"max_length": 1000}, {"threads": 0}, {"batch_size": 0},
     {"model_path": "/nonexistent/encoder"}],
)
def test_bad_config_is_rejected(overrides):
    with pytest.raises(InvalidConfigException):
        MiniLMFeaturizer.validate_config(_config(**overrides))


def test_alias_names_the_feature_origin(storage, resource):
    featurizer = MiniLMFeaturizer.create(_config(alias="minilm"), storage, resource, _context())
    message = Message(data={TEXT: TEXTS[1]})
    featurizer.process([message])
    assert [f.origin for f in message.features] == ["minilm"]
