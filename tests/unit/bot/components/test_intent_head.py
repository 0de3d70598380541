"""MiniLMIntentClassifier: a linear intent head on MiniLM embeddings, through Rasa."""
import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.intent_head.component import OVERLAY_FILE, MiniLMIntentClassifier
from bot.components.intent_head.model import HeadError, LinearHead
from bot.components.minilm.component import MiniLMFeaturizer

EXAMPLES = {
    "ask_pets": ["can I bring my dog", "are cats allowed in the cabin", "flying with my puppy",
                 "pet policy please", "can my rabbit travel with me", "do you take animals on board"],
    "flight_status": ["is AU451 on time", "status of my flight today", "has my flight left yet",
                      "is the Rome flight delayed", "when does flight AU204 land", "flight status please"],
    "greet": ["hi", "hello there", "good morning", "hey", "hiya team", "hello!"],
}


def _context(name):
    return ExecutionContext(GraphSchema({}), node_name=name)


@pytest.fixture(scope="module")
def storage(tmp_path_factory):
    path = tmp_path_factory.mktemp("intent_head") / "storage"
    path.mkdir()
    return LocalModelStorage.create(path)


@pytest.fixture(scope="module")
def featurizer(storage):
    config = MiniLMFeaturizer.get_default_config()
    return MiniLMFeaturizer.create(config, storage, Resource("minilm"), _context("minilm"))


@pytest.fixture(scope="module")
def trained(storage, featurizer):
    examples = [Message(data={TEXT: t, INTENT: i}) for i, texts in EXAMPLES.items() for t in texts]
    data = featurizer.process_training_data(TrainingData(examples))
    resource = Resource("intent_head")
    config = MiniLMIntentClassifier.get_default_config()
    classifier = MiniLMIntentClassifier.create(config, storage, resource, _context("head"))
    assert classifier.train(data) == resource
    return classifier, resource


def _parse(featurizer, classifier, text):
    message = Message(data={TEXT: text})
    featurizer.process([message])
    classifier.process([message])
    return message.get(INTENT), message.get("intent_ranking")


@pytest.mark.parametrize(
    "text, intent",
    [("is my cat allowed on the plane", "ask_pets"), ("did AU451 take off", "flight_status"),
     ("hello hello", "greet")],
)
def test_unseen_paraphrases_get_the_right_intent(featurizer, trained, text, intent):
    best, ranking = _parse(featurizer, trained[0], text)
    assert best["name"] == intent and best["confidence"] == ranking[0]["confidence"]
    assert [r["name"] for r in ranking] and sum(r["confidence"] for r in ranking) == pytest.approx(1.0, abs=1e-5)


def test_persist_and_load_round_trip_gives_identical_rankings(featurizer, trained, storage):
    classifier, resource = trained
    config = MiniLMIntentClassifier.get_default_config()
    loaded = MiniLMIntentClassifier.load(config, storage, resource, _context("head"))
    for text in ("can I take my hamster", "AU451 status", "hey there"):
        assert _parse(featurizer, loaded, text) == _parse(featurizer, classifier, text)


def test_without_a_trained_head_or_an_embedding_nothing_is_set(featurizer, storage, trained):
    config = MiniLMIntentClassifier.get_default_config()
    untrained = MiniLMIntentClassifier.load(config, storage, Resource("never"), _context("head"))
    assert _parse(featurizer, untrained, "hello") == (None, None)
    message = Message(data={TEXT: "hello"})  # no featurizer ran: no embedding
    trained[0].process([message])
    assert message.get(INTENT) is None


def test_linear_head_arrays_round_trip_and_ranking_length():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 6))
    labels = [f"intent_{i % 4}" for i in range(40)]
    head = LinearHead.fit(x, labels, c=10.0)
    again = LinearHead.from_arrays(head.to_arrays())
    np.testing.assert_array_equal(again.proba(x), head.proba(x))
    assert again.classes == head.classes == ("intent_0", "intent_1", "intent_2", "intent_3")
    assert len(head.ranking(x[0], top=2)) == 2 and len(head.ranking(x[0], top=0)) == 4


def test_two_classes_and_bad_input():
    x = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    head = LinearHead.fit(x, ["a", "a", "b", "b"])
    assert head.ranking(np.array([1.0, 0.0]))[0][0] == "a" and head.weights.shape == (2, 2)
    with pytest.raises(HeadError):
        LinearHead.fit(x, ["a"] * 4)
    with pytest.raises(InvalidConfigException):
        MiniLMIntentClassifier.validate_config({"C": 0})


@pytest.fixture(scope="module")
def tuned(storage, featurizer):
    examples = [Message(data={TEXT: t, INTENT: i}) for i, texts in EXAMPLES.items() for t in texts]
    data = featurizer.process_training_data(TrainingData(examples))
    resource = Resource("intent_head_tuned")
    config = {**MiniLMIntentClassifier.get_default_config(), "epochs": 3}
    classifier = MiniLMIntentClassifier.create(config, storage, resource, _context("head"))
    assert classifier.train(data) == resource
    return classifier, resource, config


@pytest.mark.parametrize(
    "text, intent",
    [("is my cat allowed on the plane", "ask_pets"), ("did AU451 take off", "flight_status"),
     ("hello hello", "greet")],
)
def test_fine_tuned_head_gets_unseen_paraphrases_right(featurizer, tuned, text, intent):
    best, ranking = _parse(featurizer, tuned[0], text)
    assert best["name"] == intent
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0, abs=1e-5)


def test_fine_tuned_head_persists_its_encoder_and_round_trips(featurizer, tuned, storage):
    classifier, resource, config = tuned
    with storage.read_from(resource) as directory:
        assert (directory / OVERLAY_FILE).exists()
    loaded = MiniLMIntentClassifier.load(config, storage, resource, _context("head"))
    for text in ("can I take my hamster", "AU451 status", "hey there"):
        assert _parse(featurizer, loaded, text) == _parse(featurizer, classifier, text)


def test_fine_tuned_head_reads_the_text_not_the_featurizer_embedding(tuned):
    message = Message(data={TEXT: "can I bring my dog"})  # no featurizer ran
    tuned[0].process([message])
    assert message.get(INTENT)["name"] == "ask_pets"


@pytest.mark.parametrize("key, value", [("epochs", -1), ("epochs", 2.5), ("learning_rate", 0), ("C", True)])
def test_bad_fine_tuning_settings_are_rejected(key, value):
    with pytest.raises(InvalidConfigException):
        MiniLMIntentClassifier.validate_config({**MiniLMIntentClassifier.get_default_config(), key: value})
