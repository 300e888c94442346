"""Every fixed sentence the tutor says, in one place, so wording is reviewed and changed here.

These texts never contain an exercise's answer unless their name says so (`solution_text`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MODEL_OFF_NOTICE = "(Explanations come from built-in templates right now.)"
REPLY_FAILED = "I could not finish that reply. Please try again."

REJECT_NOT_TEXT = "Please send your message as text."
REJECT_EMPTY = "Your message is empty. Type an answer or a question."
REJECT_INVALID = "Your message contains characters I cannot read. Please retype it."


def reject_too_long(length: int, max_chars: int) -> str:
    return f"Your message is too long ({length} characters; the limit is {max_chars})."


NO_EXERCISE = "There is no exercise open right now. Ask for a new exercise to start."
ALL_DONE = (
    "You have mastered every skill I can offer right now. Well done! "
    "Ask for a new exercise any time to keep practising."
)
SMALL_TALK = "Hello! I'm here to practise maths with you. Answer the exercise, or ask for a hint."
SMALL_TALK_THANKS = "You're welcome! Keep going."
SMALL_TALK_NO_EXERCISE = "Hello! I'm here to practise maths with you. Ask for a new exercise."
HINT_OFFER = "Would you like a hint? Press Hint or type 'hint'."
SOLUTION_OFFER = "You can also ask to see the full solution."
TOP_HINT_REACHED = "That was my last hint for this exercise."
ALREADY_RECORDED = "(I already have this answer.)"
STYLE_SET = "Got it: I will explain things {style} from now on."
NEXT_UP = "Next up: {reason}"
# The policy's reason is the teacher's (it names P(known) and the prerequisite rule); the
# student reads it without the figure and the jargon.
_FOR_THE_TEACHER = re.compile(
    r",\s*(?:mastery \d+(?:\.\d+)?|prerequisites mastered|no prerequisites)"
)


def next_up(reason: str) -> str:
    """ "Next up: Adding whole numbers, new skill" — never "mastery 0.99" to a child."""
    return NEXT_UP.format(reason=_FOR_THE_TEACHER.sub("", reason))


PRAISE = (
    "Correct, well done!",
    "That's right!",
    "Yes, exactly right.",
    "Correct! Nice work.",
)


def praise(count: int) -> str:
    """A short praise line; varies with `count` so repeated praise does not read as a loop."""
    return PRAISE[count % len(PRAISE)]


def wrong_verdict(misconception: str | None) -> str:
    """The code's verdict on a wrong answer (the model's feedback follows it)."""
    if misconception:
        return f"Not quite: it looks like you {misconception}."
    return "Not quite."


def malformed(message: str) -> str:
    return f"I could not read that as an answer: {message}"


def solution_refused(wrong_attempts: int, needed: int) -> str:
    left = needed - wrong_attempts
    tries = "try" if left == 1 else "tries"
    return (
        f"Let's keep working on it first: the full solution opens after {needed} wrong "
        f"attempts ({left} more {tries}). A hint may help."
    )


def solution_text(steps: Sequence[str]) -> str:
    """The worked solution's steps (the answer line follows, from `solution_answer`)."""
    lines = ["Here is the full solution:"]
    lines += [f"{i}. {step}" for i, step in enumerate(steps, start=1)]
    return "\n".join(lines)


def solution_answer(answer_text: str) -> str:
    """The answer line of a shown solution: written by code, so it is always the key."""
    return f"Answer: {answer_text}"


def skill_overview(name: str, description: str) -> str:
    return f"This exercise practises {name}: {description}"


FEEDBACK_FOLLOW_UP = (
    "Read the exercise again and check each step of your working against what it asks."
)
# The fallbacks of last resort hold no number and no number word ("which one", "a half"):
# whatever the answer, they cannot state it.
SAFE_HINT = (
    "Look at what the question asks: what does it give you, and what are you looking for? "
    "Write both down before you calculate."
)
NUMBERLESS = "Take it step by step, and check each step against the question."
SAFE_ANSWER = (
    "I can explain the current exercise, give hints and check your answers, but I can't "
    "answer that right now. Please ask your teacher."
)
SIMILAR_INTRO = "Let's look at a similar exercise with other numbers:"


def new_exercise_intro(reason: str) -> str:
    return f"Here is an exercise ({reason}):"


STYLE_WORDS = {
    "step-by-step": "step by step",
    "short": "briefly",
    "example": "with an example",
}


def mastery_moved(skill_name: str, before: float, after: float) -> str:
    return f"Your mastery of {skill_name} is now {after:.2f} (was {before:.2f})."


# -- teaching moves (tutor.dialogue.planner) ------------------------------------------------


def restate(statement: str) -> str:
    """The current exercise, said again after a hint, an explanation or a question."""
    return f"Your exercise: {statement}"


def right_verdict(count: int, *, assisted: bool) -> str:
    """Praise for a right answer; "with help" when a hint, scaffold or example came first."""
    if assisted:
        return "Correct, with help. Well done for working it through!"
    return praise(count)


def solution_gate(*, tried: bool, hinted: bool) -> str:
    """Why the full solution is not shown yet, and the one thing to do next."""
    if not tried and not hinted:
        needed = "try an answer of your own and ask for a hint"
    elif not tried:
        needed = "try an answer of your own (a real try, not a guess)"
    else:
        needed = "ask for a hint"
    return f"Let's keep working on it first: {needed}, then I can show the full solution."


SMALLER_CHOICE = "You choose: type 'hint' for a small step, or 'new' for another exercise."
ASK_NEW = "Ask for a new exercise when you are ready, and we'll take it one small step at a time."
NO_CONCEPT = (
    "Good question! Start an exercise and ask me about it: I can explain each step "
    "and why it works."
)
FEELINGS = {
    "give_up": (
        "Don't give up: you are closer than you think. I won't just give you the answer, "
        "but we can make it smaller."
    ),
    "frustrated": (
        "I hear you: this one is hard, and feeling stuck is part of learning. "
        "Let's make it smaller."
    ),
    "dont_know": "That's OK: not knowing yet is where learning starts. Let's make it smaller.",
}


def step_back(skill_name: str) -> str:
    return (
        "That's a few tries in a row, so let's step back and practise "
        f"{skill_name} first. Here is an easier one:"
    )


def step_back_reason(count: int, from_skill: str, to_skill: str) -> str:
    """The reason a teacher reads for a step back (stored with the active exercise)."""
    return f"stepped back after {count} wrong answers in a row on {from_skill}: {to_skill} first"


def back_to_step(question: str) -> str:
    """The open sub-step, asked again after the student's question."""
    return f"Back to our step: {question}"


PLACEMENT_REASON = "a placement question, to find the right place to start"
PLACEMENT_DONE = "Thanks! That tells me where to start."


def test_out_reason(skill_name: str) -> str:
    return f"testing out of {skill_name}: two right answers in a row without help skip it"


def test_out_start(skill_name: str) -> str:
    return (
        f"Too easy? Then show me: answer two {skill_name} exercises right in a row, "
        "without hints, and we move on."
    )


def sequencing_event(event: str | None, skill_name: str) -> str:
    """What a placement or test-out answer changed, in words ("" while a test goes on)."""
    if event == "placement_done":
        return PLACEMENT_DONE
    if event == "test_out_passed":
        return f"You tested out of {skill_name}. On to something new!"
    if event == "test_out_failed":
        return f"Let's keep practising {skill_name} a little longer."
    return ""


SLOW_DOWN = "Those answers came very fast. Let's slow down and do one step at a time."
