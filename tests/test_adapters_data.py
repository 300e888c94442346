"""Training-data builders: on tiny inline files in the real layout, and on the real data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.data import (
    TaskDataset,
    build_dataset,
    default_data_root,
    sources_for,
    write_dataset,
)
from adapters.data.split import is_validation, problem_key
from prompts import END_MARKER, TrainingExample, get_format

NATALIA = (
    "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in "
    "May. How many clips did Natalia sell altogether in April and May?"
)
GSM8K = [
    {
        "question": NATALIA,
        "answer": "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n"
        "Natalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72",
    },
    {"question": "What is two plus two?", "answer": "Two plus two is four.\n#### 4"},
    {
        "question": "Weng earns $12 an hour. She worked 50 minutes. How much did she earn?",
        "answer": "Weng earns 12/60 = $<<12/60=0.2>>0.2 per minute.\n"
        "She earned 0.2 x 50 = $<<0.2*50=10>>10.\n#### 10",
    },
]
MATHDIAL = [
    {
        "qid": 1,
        "question": NATALIA,
        "ground_truth": "48/2 = 24\n48+24 = 72\n 72",
        "student_incorrect_solution": "48 - 24 = 24\n 24",
        "student_profile": "Mariana is a 7th grade student.",
        "teacher_described_confusion": "subtracted instead of adding",
        "conversation": "Teacher: (generic)Hi Mariana, talk me through it|EOM|"
        "Mariana: I took 24 away from 48.|EOM|"
        "Teacher: (probing)What does altogether mean?|EOM|"
        "Student: It means in total.|EOM|"
        "Teacher: (focus)So should you add or subtract the two months?|EOM|"
        "Student: Add.|EOM|"
        "Teacher: (telling)Yes: you subtracted, but altogether means adding.|EOM|"
        "Teacher: (focus)So it is 72 clips.|EOM|"
        "Student: 72!",
    }
]
CIMA = {
    "prepDataset": {
        "0": {
            "past_convo": ["Please fill in the blank in Italian.", "il gatto e sotto rosa tavolo?"],
            "prep": "e sotto il",
            "engPrep": "is under the",
            "obj": "tavolo",
            "engObj": "table",
            "color": "rosa",
            "engColor": "pink",
            "tutorResponses": ["Perfect!", "Adjectives follow the noun in Italian."],
            "tutorActions": [
                [False, False, False, True, False],
                [False, True, False, False, False],
            ],
        },
        "1": {
            "past_convo": ["Please fill in the blank in Italian.", "e sotto?"],
            "prep": "e sotto il",
            "engPrep": "is under the",
            "obj": "tavolo",
            "engObj": "table",
            "color": "rosa",
            "engColor": "pink",
            "tutorResponses": ["It is e sotto il tavolo rosa"],
            "tutorActions": [[False, True, False, False, False]],
        },
    },
    "shapeDataset": {},
}
BRIDGE = [
    {
        "c_id": "4110653_19",
        "lesson_topic": "3.6D.Decomposing Figures",
        "c_h": [
            {"user": "tutor", "text": "What is the area of the pink rectangle?"},
            {"user": "student", "text": "4 m"},
        ],
        "c_r_": [{"user": "tutor", "text": "Area is length times width. What is the width?"}],
        "e": "guess",
        "z_what": "provide_hint",
    }
]


def write_data(root: Path) -> Path:
    """The tiny data set, laid out like ../shared/data."""
    files = {
        "problems/gsm8k/train.jsonl": "\n".join(json.dumps(r) for r in GSM8K) + "\n",
        "dialogue/mathdial/mathdial.jsonl": "\n".join(json.dumps(r) for r in MATHDIAL),
        "dialogue/cima/dataset.json": json.dumps(CIMA),
        "dialogue/bridge/train.json": json.dumps(BRIDGE),
        "dialogue/bridge/validation.json": "[]",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    return write_data(tmp_path / "data")


def everything(dataset: TaskDataset) -> tuple[TrainingExample, ...]:
    return dataset.train + dataset.validation


def test_gsm8k_explain_uses_the_calculations_and_targets_the_worked_solution(
    data_root: Path,
) -> None:
    ds = build_dataset("explain", data_root, validation_fraction=0.0)
    assert ds.validation == () and len(ds.train) == 2
    first = ds.train[0]
    assert "Solution steps:\n- 48 / 2 = 24\n- 48 + 24 = 72\nAnswer: 72\n" in first.prompt
    assert "Skill: word problem: addition, division" in first.prompt
    assert first.completion == (
        "Natalia sold 48/2 = 24 clips in May.\n"
        "Natalia sold 48+24 = 72 clips altogether in April and May.\n"
        "So the answer is 72." + END_MARKER
    )
    assert "<<" not in first.prompt + first.completion
    assert [(s.reason, s.count) for s in ds.skipped] == [("gsm8k: no calculator annotations", 1)]
    assert (ds.sources, ds.licences, ds.format_version) == (("gsm8k",), ("gsm8k: MIT",), 1)


def test_gsm8k_exercise_spec_holds_the_numbers_and_the_target_is_the_question(
    data_root: Path,
) -> None:
    weng = build_dataset("exercise", data_root, validation_fraction=0.0).train[1]
    assert "Spec:\nnumbers: 12, 50\nsteps: 12 / 60 = 0.2; 0.2 * 50 = 10\n" in weng.prompt
    assert weng.completion == GSM8K[2]["question"] + END_MARKER


def test_mathdial_moves_map_to_hint_levels_and_feedback(data_root: Path) -> None:
    hints = build_dataset("hint", data_root, validation_fraction=0.0).train
    mathdial = [e for e in hints if "Skill: word problem\n" in e.prompt]
    assert [e.completion.removesuffix(END_MARKER) for e in mathdial] == [
        "What does altogether mean?",
        "So should you add or subtract the two months?",
    ]  # generic skipped; "So it is 72 clips." states the answer and is skipped too
    assert "Hint level: 1" in mathdial[0].prompt and "Hint level: 2" in mathdial[1].prompt
    assert "Grade: 7" in mathdial[0].prompt
    assert "Misconception: subtracted instead of adding" in mathdial[0].prompt
    # The dialogue so far, speaker names replaced by roles, student text delimited.
    assert (
        "### Conversation\nTutor: Hi Mariana, talk me through it\n"
        "Student: <student>I took 24 away from 48.</student>\n### Input" in mathdial[0].prompt
    )
    (feedback,) = build_dataset("feedback", data_root, validation_fraction=0.0).train
    assert feedback.completion.startswith("Yes: you subtracted")
    assert "Student answer: <student>48 - 24 = 24\n24</student>" in feedback.prompt


def test_cima_gives_one_marked_hint_per_context_and_skips_answer_giving_ones(
    data_root: Path,
) -> None:
    ds = build_dataset("hint", data_root, validation_fraction=0.0)
    cima = [e for e in ds.train if "not maths" in e.prompt]
    assert len(cima) == 1
    assert cima[0].completion == "Adjectives follow the noun in Italian." + END_MARKER
    assert 'Exercise: Say in Italian: "is under the pink table"' in cima[0].prompt
    assert "Student answer: <student>il gatto e sotto rosa tavolo?</student>" in cima[0].prompt
    assert ("cima: response states the whole answer", 1) in [
        (s.reason, s.count) for s in ds.skipped
    ]


def test_bridge_only_when_non_commercial_use_is_asked_for(data_root: Path) -> None:
    shipped = build_dataset("hint", data_root, validation_fraction=0.0)
    comparison = build_dataset(
        "hint", data_root, validation_fraction=0.0, include_noncommercial=True
    )
    assert "bridge" not in shipped.sources and "bridge" in comparison.sources
    assert "bridge: CC BY-NC 4.0" in comparison.licences
    assert len(everything(comparison)) == len(everything(shipped)) + 1
    bridge = everything(comparison)[-1]
    assert "Skill: Decomposing Figures\nExercise: What is the area of the pink rectangle?" in (
        bridge.prompt
    )
    assert "Misconception: the student guessed" in bridge.prompt
    assert shipped.data_hash != comparison.data_hash
    assert all(s.commercial_use for s in sources_for("hint"))


def test_split_is_deterministic_and_keyed_by_problem(data_root: Path) -> None:
    one = build_dataset("explain", data_root, validation_fraction=0.5, seed=3)
    two = build_dataset("explain", data_root, validation_fraction=0.5, seed=3)
    assert one == two
    # Same key, same side, whatever the task: the MathDial dialogue follows its GSM8K problem.
    side = is_validation(problem_key(NATALIA), seed=3, validation_fraction=0.5)
    explain = one.validation if side else one.train
    hints = build_dataset("hint", data_root, validation_fraction=0.5, seed=3)
    hint_side = hints.validation if side else hints.train
    assert any(NATALIA in e.prompt for e in explain)
    assert sum(NATALIA in e.prompt for e in hint_side) == 2
    assert problem_key(NATALIA) == problem_key("  " + NATALIA.upper().replace(" ", "\n  "))


def test_hash_covers_the_bytes_and_the_task(data_root: Path) -> None:
    before = build_dataset("explain", data_root).data_hash
    assert before == build_dataset("explain", data_root, seed=9).data_hash  # data, not split
    assert before != build_dataset("exercise", data_root).data_hash
    path = data_root / "problems/gsm8k/train.jsonl"
    path.write_bytes(path.read_bytes() + b"\n")
    assert build_dataset("explain", data_root).data_hash != before


def test_limit_keeps_the_first_examples(data_root: Path) -> None:
    ds = build_dataset("hint", data_root, validation_fraction=0.0, limit=1)
    assert len(ds.train) == 1 and "What does altogether mean?" in ds.train[0].completion


def test_a_token_budget_is_applied_like_at_inference(data_root: Path) -> None:
    words = lambda s: len(s.split())  # noqa: E731
    full = build_dataset("hint", data_root, validation_fraction=0.0).train[1]
    fitted = build_dataset(
        "hint",
        data_root,
        validation_fraction=0.0,
        count_tokens=words,
        budget_tokens=words(full.prompt) - 1,
    ).train[1]
    assert words(fitted.prompt) < words(full.prompt)
    assert fitted.completion == full.completion


def test_missing_file_is_named(data_root: Path) -> None:
    (data_root / "dialogue/cima/dataset.json").unlink()
    with pytest.raises(FileNotFoundError, match=r"cima.*dialogue/cima/dataset\.json"):
        build_dataset("hint", data_root)
    with pytest.raises(FileNotFoundError, match="not a folder"):
        build_dataset("explain", data_root / "nowhere")


def test_malformed_line_is_named(data_root: Path) -> None:
    path = data_root / "problems/gsm8k/train.jsonl"
    path.write_text(path.read_text() + "{not json\n")
    with pytest.raises(ValueError, match=r"train\.jsonl:4"):
        build_dataset("explain", data_root)


@pytest.mark.parametrize(
    ("task", "error", "match"),
    [
        ("answer", ValueError, "no training data source"),
        ("summary", ValueError, "no training data source"),
        ("poem", KeyError, "known tasks"),
    ],
)
def test_tasks_without_data_are_refused(
    data_root: Path, task: str, error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        build_dataset(task, data_root)


@pytest.mark.parametrize("bad", [{"validation_fraction": 1.0}, {"limit": 0}])
def test_bad_arguments_are_refused(data_root: Path, bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        build_dataset("explain", data_root, **bad)  # type: ignore[arg-type]


REAL = default_data_root()
needs_real = pytest.mark.skipif(
    REAL is None or not (REAL / "problems/gsm8k/train.jsonl").is_file(),
    reason="../shared/data is absent (it ships beside the checkout, not in it)",
)


@pytest.fixture(scope="module")
def real() -> dict[str, TaskDataset]:
    """Each task built once from the real data (a few seconds in all)."""
    assert REAL is not None
    return {t: build_dataset(t, REAL) for t in ("explain", "exercise", "hint", "feedback")}


@needs_real
def test_real_data_builds_every_task_with_a_tenth_held_out(real: dict[str, TaskDataset]) -> None:
    sizes = {}
    for task, ds in real.items():
        sizes[task] = len(ds.train) + len(ds.validation)
        assert 0.05 < len(ds.validation) / sizes[task] < 0.15, task
        assert all(e.completion.endswith(END_MARKER) for e in ds.train[:50])
        assert all(e.version == get_format(task).version for e in ds.validation)
    assert sizes["explain"] > 7000 and sizes["exercise"] == sizes["explain"]
    assert sizes["hint"] > 2500 and sizes["feedback"] > 300


@needs_real
def test_real_mathdial_problems_never_cross_the_gsm8k_split(real: dict[str, TaskDataset]) -> None:
    def statements(examples: tuple[TrainingExample, ...]) -> set[str]:
        return {e.prompt.split("\nExercise: ")[1].split("\n")[0] for e in examples}

    explain, hint = real["explain"], real["hint"]
    assert not statements(explain.validation) & statements(hint.train)
    assert not statements(explain.train) & statements(hint.validation)
    assert statements(explain.train) & statements(hint.train)  # the overlap is real


def test_write_dataset_round_trips(data_root: Path, tmp_path: Path) -> None:
    ds = build_dataset("explain", data_root, validation_fraction=0.0)
    train, validation, manifest = write_dataset(ds, tmp_path / "out")
    rows = [json.loads(line) for line in train.read_text(encoding="utf-8").splitlines()]
    assert [TrainingExample(**row) for row in rows] == list(ds.train)
    assert validation.read_text() == ""
    written = json.loads(manifest.read_text())
    assert written["data_hash"] == ds.data_hash and written["train_examples"] == 2
    assert written["skipped"] == {"gsm8k: no calculator annotations": 1}
    assert not list((tmp_path / "out").glob("*.tmp"))
