"""`make kb-lint`: near-duplicate questions, owners, review dates."""
import datetime as dt
import zlib

import numpy as np

from socialcare.kb_lint import lint, main

TODAY = dt.date(2026, 11, 30)
GOOD = """
entries:
  - id: pets_general
    intent: ask_pets
    questions:
      - Can I bring my pet?
      - Do you allow animals on board?
    answer: Small pets fly in the cabin.
    short_answer: Small pets fly in the cabin.
    tags: [pets]
    owner: content@example.com
    last_reviewed: 2026-10-15
"""
PROBLEMS = """
entries:
  - id: pets_copy
    intent: ask_pets
    questions:
      - Can I bring my pet?
    answer: Pets are welcome.
    short_answer: Pets are welcome.
    last_reviewed: 2026-01-10
  - id: wifi
    intent: ask_wifi_entertainment
    questions:
      - Is there wifi?
    answer: Yes.
    owner: content@example.com
    last_reviewed: someday
"""


def fake_encode(texts):
    """Same text -> same unit vector; different texts -> orthogonal-ish vectors."""
    vectors = []
    for text in texts:
        rng = np.random.default_rng(zlib.crc32(text.lower().encode()))
        vector = rng.normal(size=64)
        vectors.append(vector / np.linalg.norm(vector))
    return np.asarray(vectors)


def test_a_clean_folder_has_no_findings(tmp_path):
    (tmp_path / "pets.yml").write_text(GOOD)
    assert lint(tmp_path, TODAY, encode=fake_encode) == []


def test_each_problem_is_found(tmp_path):
    (tmp_path / "pets.yml").write_text(GOOD)
    (tmp_path / "more.yml").write_text(PROBLEMS)
    kinds = sorted((f.kind, f.entry.split(" ")[0]) for f in lint(tmp_path, TODAY, encode=fake_encode))
    assert kinds == [
        ("near-duplicate", "pets_copy"),  # files load in name order: more.yml first
        ("no-owner", "pets_copy"),
        ("no-short-answer", "wifi"),
        ("not-reviewed", "wifi"),
        ("stale", "pets_copy"),
    ]


def test_exit_status(tmp_path, capsys):
    (tmp_path / "pets.yml").write_text(GOOD)
    assert main(["--dir", str(tmp_path), "--today", "2026-11-30"]) == 0
    assert main(["--dir", str(tmp_path), "--today", "2027-06-01"]) == 1  # 229 days later: stale
    assert "stale" in capsys.readouterr().out
    (tmp_path / "bad.yml").write_text("nothing: here\n")
    assert main(["--dir", str(tmp_path)]) == 2


def test_the_project_knowledge_is_clean_with_the_real_encoder():
    from tests.conftest import PROJECT_ROOT

    findings = lint(PROJECT_ROOT / "bot" / "data" / "knowledge", TODAY)
    assert findings == [], "\n".join(f.line() for f in findings)


def test_near_duplicates_are_found_by_meaning(tmp_path):
    (tmp_path / "a.yml").write_text(GOOD)
    (tmp_path / "b.yml").write_text(GOOD.replace("pets_general", "pets_other").replace(
        "Can I bring my pet?", "Can I bring my pet with me?").replace("Do you allow animals on board?", "Hello?"))
    findings = lint(tmp_path, TODAY)
    assert [f.kind for f in findings] == ["near-duplicate"]
