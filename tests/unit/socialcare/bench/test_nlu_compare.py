"""socialcare.bench.nlu_compare: the pure parts (folds and scores); training is measured, not tested."""
import numpy as np
import pytest

from socialcare.bench.nlu_compare import folds, scores

LABELS = ["a"] * 9 + ["b"] * 6 + ["c"] * 3


def test_folds_are_stratified_disjoint_and_reproducible():
    first = folds(LABELS, 3, None, seed=7)
    assert len(first) == 3
    tests = np.concatenate([test for _, test in first])
    assert sorted(tests.tolist()) == list(range(len(LABELS)))
    for train, test in first:
        assert not set(train) & set(test)
        assert sorted(LABELS[i] for i in test) == ["a", "a", "a", "b", "b", "c"]
    again = folds(LABELS, 3, None, seed=7)
    assert all(np.array_equal(t1, t2) for (_, t1), (_, t2) in zip(first, again))


def test_a_single_split_holds_out_the_share():
    [(train, test)] = folds(LABELS, 3, 1 / 3, seed=7)
    assert len(test) == 6 and len(train) == 12


def test_scores():
    result = scores(["a", "a", "b", "c"], ["a", "b", "b", "c"])
    assert result["accuracy"] == 0.75
    assert result["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)
