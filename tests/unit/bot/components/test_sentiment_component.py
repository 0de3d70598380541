"""SentimentAnalyzer: the MiniLM classifier head, trained on our own examples, through Rasa."""
import json

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.minilm.finetune import FineTuneError, load_overlay, save_overlay
from bot.components.minilm.model import OverlayMismatch, SentenceEncoder, get_encoder
from bot.components.sentiment.component import (
    META_FILE,
    MINILM_EMBEDDING,
    OVERLAY_FILE,
    SENTIMENT,
    SentimentAnalyzer,
    SentimentHeadMissing,
    resolve_dir,
)
from bot.components.sentiment.head import LABELS, ExamplesError, SentimentHead, load_examples

EXAMPLES = resolve_dir("bot/data/sentiment")


def _config(**overrides):
    return {**SentimentAnalyzer.get_default_config(), **overrides}


def _context():
    return ExecutionContext(GraphSchema({}), node_name="sentiment")


@pytest.fixture(scope="module")
def storage(tmp_path_factory):
    path = tmp_path_factory.mktemp("sentiment") / "storage"
    path.mkdir()
    return LocalModelStorage.create(path)


# The production recipe (config.yml: 2 epochs): with one epoch the head came out too weak
# on some CPUs (AMD EPYC: "been on hold ... 😡" at -0.48), so the test trains what ships.
TUNED = {"epochs": 2}


@pytest.fixture(scope="module")
def trained(storage):
    resource = Resource("train_SentimentAnalyzer0")
    component = SentimentAnalyzer.create(_config(**TUNED), storage, resource, _context())
    assert component.train(TrainingData()) == resource
    return component, resource


@pytest.fixture(scope="module")
def trained_lr(storage):
    resource = Resource("train_SentimentAnalyzer_lr")
    component = SentimentAnalyzer.create(_config(epochs=0), storage, resource, _context())
    assert component.train(TrainingData()) == resource
    return component, resource


def _score(component, text, **data):
    message = Message(data={"text": text, **data})
    component.process([message])
    return message.get(SENTIMENT)


def test_our_examples_cover_every_label_and_are_varied():
    texts, labels = load_examples(EXAMPLES)
    assert len(texts) >= 300 and set(labels) == set(LABELS)
    assert len(set(t.lower() for t in texts)) == len(texts), "duplicate examples"
    assert min(labels.count(label) for label in LABELS) >= 100


def test_malformed_examples_are_reported(tmp_path):
    (tmp_path / "bad.yml").write_text("negative: [ok]\nangry: [grr]\n")
    with pytest.raises(ExamplesError):
        load_examples(tmp_path)


def test_head_generalises_to_held_out_examples():
    from sklearn.model_selection import StratifiedKFold

    texts, labels = load_examples(EXAMPLES)
    x, y = get_encoder().encode(texts, batch_size=1), np.asarray(labels)
    correct = 0
    for train, test in StratifiedKFold(5, shuffle=True, random_state=7).split(x, y):
        head = SentimentHead.fit(x[train], y[train])
        correct += int((np.asarray(LABELS)[head.proba(x[test]).argmax(1)] == y[test]).sum())
    assert correct / len(y) >= 0.8  # measured 0.87 on 460 examples


def test_head_arrays_round_trip():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 8))
    head = SentimentHead.fit(x, [LABELS[i % 3] for i in range(30)])
    again = SentimentHead.from_arrays(head.to_arrays())
    np.testing.assert_array_equal(again.proba(x), head.proba(x))
    assert np.all(np.abs(head.scores(x)) <= 1.0)


@pytest.mark.parametrize(
    "text, low, high",
    [
        ("flight CANCELLED again #fail", -1.0, -0.5),
        ("been on hold for 2 hours and nobody answers 😡", -1.0, -0.5),
        ("great, another delay. thanks a lot 🙄", -1.0, -0.5),
        ("thank you so much, the crew were amazing 😍", 0.5, 1.0),
        ("cancel my booking", -0.25, 0.25),
        ("where is my delayed bag", -0.25, 0.25),
        ("can I get a refund for my cancelled flight?", -0.25, 0.4),
    ],
)
def test_combined_scores(trained, text, low, high):
    sentiment = _score(trained[0], text)
    assert low <= sentiment["compound"] <= high, sentiment
    assert "head" in sentiment and -1.0 <= sentiment["head"] <= 1.0


@pytest.mark.parametrize("fixture, config", [("trained", TUNED), ("trained_lr", {"epochs": 0})])
def test_persist_and_load_round_trip_gives_identical_scores(request, storage, fixture, config):
    component, resource = request.getfixturevalue(fixture)
    loaded = SentimentAnalyzer.load(_config(**config), storage, resource, _context())
    for text in ("my bag is lost", "love you guys", "is AU451 on time"):
        assert _score(loaded, text) == _score(component, text)


def test_the_fine_tuned_encoder_is_persisted_only_when_fine_tuning(trained, trained_lr, storage):
    with storage.read_from(trained[1]) as directory:
        assert (directory / OVERLAY_FILE).exists()
        assert json.loads((directory / META_FILE).read_text())["epochs"] == TUNED["epochs"]
    with storage.read_from(trained_lr[1]) as directory:
        assert not (directory / OVERLAY_FILE).exists()


def test_fine_tuning_changes_the_encoder_not_only_the_head(trained):
    component, _ = trained
    tuned = component._tuned().encode_one("the crew were useless about the delay")
    base = get_encoder().encode_one("the crew were useless about the delay")
    assert float(np.dot(tuned, base)) < 0.999


def test_the_featurizer_embedding_is_reused_by_the_logistic_head(trained_lr):
    component, _ = trained_lr
    happy = get_encoder().encode_one("thank you, wonderful crew, best flight ever")
    reused = _score(component, "my flight is delayed", **{MINILM_EMBEDDING: happy})
    own = _score(component, "my flight is delayed")
    assert reused["head"] > 0.5 > own["head"]


def test_the_fine_tuned_head_scores_its_own_encoder_not_the_featurizer_embedding(trained):
    component, _ = trained
    happy = get_encoder().encode_one("thank you, wonderful crew, best flight ever")
    assert _score(component, "my flight is delayed", **{MINILM_EMBEDDING: happy}) == _score(
        component, "my flight is delayed")


def test_lexicon_only_needs_no_head(storage):
    resource = Resource("never_trained")
    component = SentimentAnalyzer.load(_config(head_weight=0), storage, resource, _context())
    assert "head" not in _score(component, "thanks!")
    with pytest.raises(SentimentHeadMissing):
        SentimentAnalyzer.load(_config(), storage, resource, _context())


def test_bad_head_weight_is_rejected():
    with pytest.raises(InvalidConfigException):
        SentimentAnalyzer.validate_config(_config(head_weight=1.5))


@pytest.mark.parametrize("key, value", [("C", 0), ("C", -1.0), ("C", "strong"), ("C", True),
                                        ("learning_rate", 0), ("epochs", -1), ("epochs", 1.5), ("epochs", True)])
def test_bad_training_settings_are_rejected(key, value):
    with pytest.raises(InvalidConfigException):
        SentimentAnalyzer.validate_config(_config(**{key: value}))
    SentimentAnalyzer.validate_config(_config(C=0.5, epochs=0, learning_rate=1e-5))


def test_stronger_regularisation_gives_a_smaller_head():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 8)).astype(np.float32)
    labels = [LABELS[i % 3] for i in range(60)]
    x[:, 0] += np.array([LABELS.index(label) for label in labels], dtype=np.float32)
    strong = SentimentHead.fit(x, labels, c=0.1)
    weak = SentimentHead.fit(x, labels, c=10.0)
    assert np.linalg.norm(strong.weights) < np.linalg.norm(weak.weights)


def test_editing_the_examples_changes_the_training_fingerprint(tmp_path):
    (tmp_path / "a.yml").write_text("negative: [awful]\nneutral: [ok then]\npositive: [lovely]\n")
    before = SentimentAnalyzer.fingerprint_addon(_config(examples_dir=str(tmp_path)))
    assert SentimentAnalyzer.fingerprint_addon(_config(examples_dir=str(tmp_path))) == before
    (tmp_path / "a.yml").write_text("negative: [awful, dreadful]\nneutral: [ok then]\npositive: [lovely]\n")
    assert SentimentAnalyzer.fingerprint_addon(_config(examples_dir=str(tmp_path))) != before


def test_an_overlay_that_does_not_fit_the_encoder_is_refused(tmp_path):
    import torch  # deferred: heavy, this test only

    wrong = SentenceEncoder(overlay={"encoder.layer.0.output.dense.bias": torch.zeros(7)})
    with pytest.raises(OverlayMismatch):
        wrong.encode_one("hello")
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(Exception):
        load_overlay(tmp_path / "empty.pt")
    save_overlay({}, tmp_path / "nothing.pt")
    with pytest.raises(FineTuneError):
        load_overlay(tmp_path / "nothing.pt")
