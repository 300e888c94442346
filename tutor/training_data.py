"""Training data the repository owns: the real planner's move plans, worded by hand.

Torch-free. For every exercise of the shipped maths pack (`tutor.curriculum`) over many seeds
this module makes the plans the tutor itself makes, with the planner's own move builders
(`tutor.dialogue.moves`, in the situations `tutor.dialogue.planner` calls them in): the
contrast or locate after a catalogued wrong answer, the checked sub-step, each rung of the
hint ladder (authored hint, focus question, the step's operation, the step told, a worked
example), the verdict on a sub-step reply, the full solution, a concept or "why?" answer from
the concept bank, the acknowledgement of a feeling, the redirect after an off-topic message,
and the word-problem wording of an exercise (`tutor.dialogue.exercise_plan`). Each plan is
paired with reference words: the plan's template, re-worded with phrasings written for its
move kind (an opener in the learner's name, alternative wordings of the template's fixed
phrases), so the adapters learn plan -> words on exactly the plans the tutor serves
(`prompts.plan_training_example`, the renderer inference uses too). The evaluation uses
held-out seeds and held-out skills (`HELD_OUT_SKILLS`), never seen in training.

Every reference text is checked by the verifier (and, for a plan that does not reveal the
answer, the curriculum's leak guard) against its own plan before it is kept, so the model is
never taught words the tutor would refuse to show.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from prompts.builder import TrainingExample
from prompts.context import LearnerContext, Turn
from prompts.formats import FORMATS
from prompts.plan import Learner, MovePlan
from prompts.planprompt import plan_training_example
from prompts.verify import check_words
from tutor.curriculum import Exercise, Pack, load_default_pack, reveals_answer
from tutor.curriculum.examples import similar_for_slip
from tutor.dialogue import moves, texts
from tutor.dialogue.concepts import ASPECTS, concept_answer
from tutor.dialogue.exercise_plan import WORD_PROBLEMS, exercise_plan
from tutor.dialogue.moves import Current, leaks
from tutor.dialogue.planner import with_question
from tutor.dialogue.steps import first_askable, slip_of, worth_asking

# Skills never used in training: the evaluation's unseen skills.
HELD_OUT_SKILLS: tuple[str, ...] = (
    "fractions.sub_unlike",
    "decimals.divide",
    "percent.change",
    "integers.mul_div",
)
TRAIN_SEEDS = range(0, 24)
EVAL_SEEDS = range(100_000, 100_006)

NAMES = (
    "Maya", "Leo", "Amara", "Jonas", "Priya", "Tom", "Sofia", "Kwame", "Lena", "Ravi",
    "Chloe", "Mateo", "Aisha", "Finn", "Yuki", "Omar", "Ella", "Noah", "Zara", "Ben",
)  # fmt: skip
THEMES = tuple(WORD_PROBLEMS)
STYLES = ("step-by-step", "short", "example")
OFF_TOPIC = (
    "who won the game last night?",
    "what's your favourite colour?",
    "can we play a game instead?",
    "do you like pizza?",
    "what time is it?",
    "I want to talk about my dog",
)
FEELING_SAID = {
    "give_up": ("I give up", "just tell me the answer", "what is the answer"),
    "frustrated": ("I hate this", "this is too hard", "ugh", "I can't do this"),
    "dont_know": ("I don't know", "no idea", "idk", "dunno"),
}
# The move kinds the planner makes that a model format words (encourage: a right sub-step).
PLANNER_MOVES = (
    "contrast", "locate", "substep", "hint_focus", "hint_operation", "hint_authored",
    "worked_example", "encourage", "solution", "concept", "acknowledge", "redirect", "exercise",
)  # fmt: skip
# Moves whose plan is the same every time for one exercise and situation (no random choice).
FIXED_MOVES = ("contrast", "locate", "substep", "hint_focus", "hint_operation", "solution")
QUESTIONS = {
    "what": ("what does {skill} mean?", "what is {skill}?"),
    "why": ("why do we do it like that?", "why does this work?", "why?"),
    "how": ("how do I do this?", "how does {skill} work?"),
    "when": ("when do we use this?", "when would I need {skill}?"),
}


@dataclass(frozen=True)
class PlanExample:
    """A plan, the reference words for it, the conversation before it (and where it came
    from, for splits)."""

    plan: MovePlan
    reference: str
    skill_key: str
    seed: int
    context: LearnerContext | None = None


# ---- the situations the planner meets, and the plans it makes in them ---------------------


def _learner(rng: random.Random) -> Learner:
    interests = tuple(rng.sample(THEMES, rng.choice((0, 1, 2))))
    return Learner(
        name=rng.choice(NAMES),
        grade=rng.choice((None, 3, 4, 5, 6, 7, 8)),
        style=rng.choice(STYLES),
        interests=interests,
    )


def _wrong_reply(result: str) -> str:
    """A sub-step reply that is not the step's result (what a slip would type)."""
    try:
        value = Fraction(result.replace("−", "-").replace(",", ""))
    except (ValueError, ZeroDivisionError):
        return "5"
    if value.denominator == 1:
        return str(value.numerator + (10 if value.numerator % 10 != 9 else 1))
    return f"{value.numerator + 1}/{value.denominator}"


def _wrong_answers(exercise: Exercise) -> list[str]:
    """The catalogued wrong answers of `exercise`, as a student would type them."""
    found: list[str] = []
    for rule in exercise.misconceptions:
        for value in rule.answers:
            text = str(value)
            try:
                fraction = Fraction(text)
            except (ValueError, ZeroDivisionError):
                found.append(text)
                continue
            found.append(
                str(fraction.numerator)
                if fraction.denominator == 1
                else f"{fraction.numerator}/{fraction.denominator}"
            )
    return list(dict.fromkeys(found))


def planner_plans(
    pack: Pack, exercise: Exercise, learner: Learner, rng: random.Random
) -> Iterator[MovePlan]:
    """The plans `tutor.dialogue.planner.Planner` makes for `exercise` across a lesson, built
    by its own move builders under its own rules (a plan whose template would give the answer
    away is left out, as the planner leaves it out)."""
    current = Current(exercise, pack.skills[exercise.skill_key].name, learner)

    def kept(plan: MovePlan) -> bool:
        return plan.reveals_answer or not leaks(plan.template, exercise)

    # a wrong answer: contrast when the slip's step is known, else locate; then a sub-step
    for answer in _wrong_answers(exercise):
        slip = slip_of(exercise, answer)
        if slip is None:
            continue
        step = exercise.solution[slip.step_index]
        if slip.student_step:
            told = moves.contrast(current, step, student_step=slip.student_step, answer=answer)
        else:
            told = moves.locate(current, step, answer=answer, misconception=None)
        if leaks(told.template, exercise):
            told = moves.locate(current, step, answer=answer, misconception=None, show_step=False)
        if kept(told):
            yield told
    # the hint ladder on the first unfinished step, and the sub-step's verdicts
    if exercise.hints:
        plan = moves.hint_authored(current, exercise.hints[0])
        if kept(plan):
            yield plan
    index = first_askable(exercise)
    askable = [i for i in range(len(exercise.solution)) if worth_asking(exercise, i)]
    for i in askable[:2]:
        step = exercise.solution[i]
        for plan in (
            moves.substep(current, step),
            moves.substep(current, step, kind="hint_focus"),
            moves.hint_operation(current, step),
            moves.tell_step(current, step),
        ):
            if kept(plan):
                yield plan
        assert step.result is not None
        right = moves.substep_done(current, step, right=True, reply=step.result)
        wrong = moves.substep_done(current, step, right=False, reply=_wrong_reply(step.result))
        yield from (p for p in (right, wrong) if kept(p))
    if index is None:
        first = next((s for s in exercise.solution if s.expression), None)
        if first is not None and kept(plan := moves.hint_operation(current, first)):
            yield plan
    similar = similar_for_slip(pack, exercise, None, rng)
    if similar is not None:
        plan = moves.worked_example(current, similar)
        if kept(plan):
            yield plan
    yield moves.solution(current)
    # questions: the concept bank's entry, with the current step first for a "why?"
    skill = pack.skills[exercise.skill_key]
    aspect = rng.choice(ASPECTS)
    try:
        entry = concept_answer(
            skill.key, aspect, rng, avoid=lambda s: bool(reveals_answer(s, exercise))
        )
        facts: list[str] = list(entry.facts)
    except LookupError:
        facts = [texts.skill_overview(skill.name, skill.description)]
    if aspect == "why" and index is not None:
        focus = moves.step_focus(exercise.solution[index])
        if not leaks(focus, exercise):
            facts.insert(0, focus)
    asked = rng.choice(QUESTIONS[aspect]).format(skill=skill.name.lower())
    plan = moves.concept(current, " ".join(facts), question=asked, learner=learner)
    if kept(plan):
        yield plan
    # a feeling: acknowledged, then the smaller step (a checked sub-step where there is one)
    feeling = rng.choice(tuple(FEELING_SAID))
    said = rng.choice(FEELING_SAID[feeling])
    line = texts.FEELINGS[feeling]
    if index is None:
        next_step = f"{texts.SMALLER_CHOICE} {texts.restate(exercise.statement)}"
        plan = moves.acknowledge(current, line, next_step, learner=learner, said=said)
    else:
        ask = moves.substep(current, exercise.solution[index])
        plan = moves.acknowledge(current, line, ask.template, learner=learner, said=said)
        plan = with_question(plan, ask)
    if kept(plan):
        yield plan
    # off topic: one friendly line, then the exercise again
    next_step = texts.restate(exercise.statement)
    yield moves.redirect(current, next_step, learner=learner, said=rng.choice(OFF_TOPIC))
    wording = exercise_plan(exercise, current.skill_name, learner)
    if wording is not None:
        yield wording


# ---- reference words: the template, re-worded with phrasings written for each move ---------

OPENERS: dict[str, tuple[str, ...]] = {
    "contrast": (
        "Let's look closely, {name}.", "Nearly there, {name}!", "Good try! Let's find the slip.",
        "Let's compare your step with the right one.", "Good effort, {name}.",
    ),
    "locate": (
        "Let's find where it went wrong, {name}.", "Good effort!", "Not quite yet, {name}.",
        "Let's check your working together.", "Close, {name}!",
    ),
    "substep": (
        "Let's take a small step, {name}.", "One small step at a time.", "Try just this part.",
        "Let's break it down, {name}.",
    ),
    "hint_focus": (
        "Here's a place to start, {name}.", "Let's break it into a small step.",
        "Try this first, {name}.", "One step at a time.",
    ),
    "hint_operation": (
        "Here's a hint, {name}.", "A clue for you:", "Think about this step, {name}.",
        "Here's some help.",
    ),
    "hint_authored": ("Here's a hint, {name}.", "Try this:", "A hint for you, {name}:"),
    "worked_example": (
        "Let's look at an example first, {name}.", "Watch how this one works.",
        "An example will help, {name}.",
    ),
    "solution": (
        "Let's go through it together, {name}.", "Here's how it works, {name}.",
        "Let's see it all the way through.",
    ),
    "concept": ("Good question, {name}!", "Great thing to ask!", "Good question!"),
    "acknowledge": ("Thanks for telling me, {name}.", "{name},", "Okay, {name}."),
    "redirect": ("Ha, good one, {name}!", "That sounds fun, {name}!", "Nice one, {name}!"),
    "substep_wrong": ("Good try, {name}.", "Thanks for trying that, {name}.", "Good effort."),
    "encourage": ("Great work, {name}!", "Spot on, {name}!", "Well done!", "Brilliant!"),
}  # fmt: skip

# Fixed phrases of the planner's templates and other ways to say them (same facts, same
# numbers); each re-wording is verified against the plan before it is kept.
REWORDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"Your step: ", ("You wrote ", "Your step was ", "You did ")),
    (r"The right step there is ", ("The right step is ", "It should be ", "Instead, do ")),
    (r"goes wrong in the ", ("went wrong in the ", "slips in the ")),
    (r"goes wrong at this step", ("went wrong at this step", "slips at this step")),
    (r"It looks like you ", ("I think you ", "It seems you ")),
    (r"Check that step: ", ("Look again at ", "Check this step: ")),
    (r"Let's do just the ", ("Let's do only the ", "Just the ")),
    (r"Let's do one step first\.", ("Let's do one small step first.", "One step first.")),
    (r"Write down that step, then carry on\.", (
        "Write that down, then keep going.", "Write that step down and carry on.",
    )),
    (r"Here is that step done: ", ("Here is that step worked out: ", "That step goes: ")),
    (r"Now carry on from there\.", ("Now keep going from there.", "Now carry on.")),
    (r"Now use it to finish the whole exercise\.", (
        "Now use that to finish the exercise.", "Use it to finish the exercise.",
    )),
    (r"Here is the full solution:", ("Here is the whole solution:", "Here is how to solve it:")),
    (r"Here is the same kind of exercise with other numbers:", (
        "Here is a similar exercise with different numbers:", "Here is one like it:",
    )),
    (r"In your exercise, the step now is ", ("Right now your step is ", "Your step now is ")),
    (r"Let's keep our minds on maths for now\.", (
        "Let's keep our minds on maths for now.", "Let's get back to the maths.",
        "Let's save that for later and do the maths.",
    )),
)  # fmt: skip


def _reword(template: str, rng: random.Random) -> str:
    text = template
    for pattern, options in REWORDINGS:
        if rng.random() < 0.6:
            text = re.sub(pattern, _chooser(options, rng), text, count=1)
    return text


def _chooser(options: Sequence[str], rng: random.Random) -> Callable[[re.Match[str]], str]:
    """A replacement that picks its phrasing only when the pattern matches (so the random
    stream, and with it the data hash, does not depend on phrases that are absent)."""

    def choose(_match: re.Match[str]) -> str:
        return rng.choice(options)

    return choose


def _opener(plan: MovePlan, rng: random.Random) -> str:
    kind: str = plan.move
    if plan.template.startswith("Not quite:"):  # a sub-step reply that was not right
        kind = "substep_wrong"
    options = OPENERS.get(kind, ())
    if not options or rng.random() < (0.45 if plan.learner.style == "short" else 0.15):
        return ""
    name = plan.learner.name or "friend"
    return rng.choice(options).format(name=name)


def reference_words(plan: MovePlan, rng: random.Random, exercise: Exercise) -> str | None:
    """Words for `plan` a good tutor would say, that its verifier (and the leak guard, unless
    the plan reveals the answer) passes; None when no wording passes (the plan is skipped)."""
    if plan.move == "exercise":
        theme = next((t for t in plan.learner.interests if t in WORD_PROBLEMS), "games")
        a, b = plan.numbers[0], plan.numbers[1]
        options = WORD_PROBLEMS[theme][plan.operation or ""]
        candidates = [rng.choice(options).format(a=a, b=b, name=plan.learner.name or "Sam")]
    else:
        body = _reword(plan.template, rng)
        opener = _opener(plan, rng)
        candidates = [f"{opener} {body}".strip(), body, plan.template]
    for words in candidates:
        if not check_words(words, plan).ok:
            continue
        if not plan.reveals_answer and plan.move != "exercise" and reveals_answer(words, exercise):
            continue
        return words
    return None


def _context(plan: MovePlan, exercise: Exercise, rng: random.Random) -> LearnerContext | None:
    """The conversation the tutor's prompt carries (its last two turns), in some examples."""
    if rng.random() < 0.5:
        return None
    said = dict(plan.extra).get("student_answer") or dict(plan.extra).get("question") or "hint"
    turns = (Turn("tutor", exercise.statement), Turn("student", said))
    return LearnerContext(grade_level=plan.learner.grade, style=plan.learner.style,
                          recent_turns=turns)  # fmt: skip


def plans_for(pack: Pack, skill_key: str, seed: int) -> Iterator[PlanExample]:
    """Every plan the planner makes for one exercise (`skill_key`, `seed`), worded."""
    exercise = pack.exercise(skill_key, seed)
    rng = random.Random(f"{skill_key}:{seed}")
    learner = _learner(rng)
    for plan in planner_plans(pack, exercise, learner, rng):
        if plan.task not in FORMATS:
            continue
        words = reference_words(plan, rng, exercise)
        if words is not None:
            yield PlanExample(plan, words, skill_key, seed, _context(plan, exercise, rng))


def build_plan_examples(
    *,
    split: str = "train",
    tasks: Sequence[str] | None = None,
    seeds: Sequence[int] | None = None,
    pack: Pack | None = None,
) -> list[PlanExample]:
    """The examples of `split`: "train" (train seeds, trained skills), "validation" (held-out
    seeds, trained skills) or "heldout_skills" (held-out seeds and held-out skills)."""
    pack = pack or load_default_pack()
    skills = [k for k in pack.skills if k not in HELD_OUT_SKILLS]
    if split == "heldout_skills":
        skills = [k for k in pack.skills if k in HELD_OUT_SKILLS]
    if seeds is None:
        seeds = TRAIN_SEEDS if split == "train" else EVAL_SEEDS
    wanted = set(tasks) if tasks else None
    out: list[PlanExample] = []
    for seed in seeds:
        for key in skills:
            out.extend(
                e for e in plans_for(pack, key, seed) if wanted is None or e.plan.task in wanted
            )
    return out


def data_hash(examples: Sequence[TrainingExample]) -> str:
    """sha256 over every prompt and completion, in order: names the training data exactly."""
    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.task}\x00{e.prompt}\x00{e.completion}\x01".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class PlanDataset:
    """What `adapters.training.train_adapter` trains on (its `Dataset` protocol)."""

    task: str  # one task, or "+"-joined tasks for a joint adapter
    tasks: tuple[str, ...]
    train: tuple[TrainingExample, ...]
    validation: tuple[TrainingExample, ...]
    data_hash: str


def _sample_by_task(
    examples: Sequence[PlanExample], tasks: Sequence[str], per_task: int, rng: random.Random
) -> list[PlanExample]:
    """Up to `per_task` examples of each task, spread over move kinds (a task's rare moves,
    like the acknowledgement among the answers, are not drowned by its common ones)."""
    chosen: list[PlanExample] = []
    for task in tasks:
        by_move: dict[str, list[PlanExample]] = {}
        for e in examples:
            if e.plan.task == task:
                by_move.setdefault(e.plan.move, []).append(e)
        for pool in by_move.values():
            rng.shuffle(pool)
        picked: list[PlanExample] = []
        while len(picked) < per_task and any(by_move.values()):
            for pool in by_move.values():
                if pool and len(picked) < per_task:
                    picked.append(pool.pop())
        chosen += picked
    rng.shuffle(chosen)
    return chosen


def _training_example(e: PlanExample) -> TrainingExample:
    return plan_training_example(e.plan, e.reference, e.context)


def build_dataset(
    tasks: Sequence[str],
    *,
    train_per_task: int = 600,
    validation_per_task: int = 40,
    seed: int = 0,
    pack: Pack | None = None,
    train_seeds: Sequence[int] | None = None,
    validation_seeds: Sequence[int] | None = None,
) -> PlanDataset:
    """Train (train seeds) and validation (held-out seeds) examples for `tasks`, balanced.

    Held-out skills (`HELD_OUT_SKILLS`) appear in neither: they are the evaluation's.
    """
    pack = pack or load_default_pack()
    rng = random.Random(seed)
    train = _sample_by_task(
        build_plan_examples(split="train", tasks=tasks, pack=pack, seeds=train_seeds),
        tasks,
        train_per_task,
        rng,
    )
    validation = _sample_by_task(
        build_plan_examples(split="validation", tasks=tasks, pack=pack, seeds=validation_seeds),
        tasks,
        validation_per_task,
        rng,
    )
    train_ex = tuple(map(_training_example, train))
    val_ex = tuple(map(_training_example, validation))
    return PlanDataset(
        task="+".join(tasks),
        tasks=tuple(tasks),
        train=train_ex,
        validation=val_ex,
        data_hash=data_hash(train_ex + val_ex),
    )


def evaluation_plans(
    tasks: Sequence[str],
    *,
    per_task: int = 30,
    split: str = "validation",
    seed: int = 1,
    keep: Callable[[MovePlan], bool] | None = None,
) -> list[PlanExample]:
    """Held-out plans (with their reference words) for `tutor adapters evaluate`; with
    `keep`, only the plans it keeps (those the tutor would ask the model to word)."""
    examples = build_plan_examples(split=split, tasks=tasks)
    if keep is not None:
        examples = [e for e in examples if keep(e.plan)]
    return _sample_by_task(examples, tasks, per_task, random.Random(seed))
