"""Template texts for every task, rendered from the same normalised fields as the prompt.

Used when no model is available (principle 4 of DESIGN.md). A fallback uses nothing but the
fields it is given, so a hint fallback cannot leak the answer: the answer is not a hint field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from prompts.fields import Value, format_number, lines_value, number_value, spec_value


def _steps(fields: Mapping[str, Value]) -> tuple[str, ...]:
    return lines_value(fields["solution_steps"])


def explain(fields: Mapping[str, Value], style: str) -> str:
    steps, answer = _steps(fields), fields["answer"]
    focus = f"Pay attention to {fields['focus']}.\n" if "focus" in fields else ""
    if style == "short":  # one line: a short reply reads as one sentence run
        return f"{focus.strip()} {' '.join(steps)} So the answer is {answer}.".lstrip()
    if style == "example":
        body = "\n".join(steps)
        return (
            f"{focus}Here is the worked solution, as an example to follow:\n{body}\n"
            f"Answer: {answer}. Use the same steps on the next exercise."
        )
    numbered = "\n".join(f"{i}. {step}" for i, step in enumerate(steps, start=1))
    return f"{focus}Let's work through it step by step:\n{numbered}\nSo the answer is {answer}."


def _nudge(fields: Mapping[str, Value]) -> str:
    return (
        f"This exercise is about {fields['skill_name']}. Look at what the question asks: "
        "which quantities does it give you, and which one are you looking for? "
        "Write them down before you calculate."
    )


def _targeted(fields: Mapping[str, Value]) -> str:
    parts = []
    if "student_answer" in fields:
        parts.append(
            f"You answered {fields['student_answer']}. "
            "Go back over how you got it, one step at a time."
        )
    if "misconception" in fields:
        parts.append(f"Check this common slip: {fields['misconception']}.")
    if not parts:
        return (
            _nudge(fields) + " Then ask which operation connects what you know "
            "to what you are looking for."
        )
    return " ".join(parts)


def hint(fields: Mapping[str, Value], style: str) -> str:
    level = number_value(fields["level"])
    if level == 3 and "similar_example" in fields:
        return (
            "Here is a worked example of a similar exercise:\n"
            f"{fields['similar_example']}\nNow use the same steps on your exercise."
        )
    if level >= 2:
        return _targeted(fields)
    return _nudge(fields)


def feedback(fields: Mapping[str, Value], style: str) -> str:
    text = f"Not quite: your answer was {fields['student_answer']}."
    if "misconception" in fields:
        text += f" It looks like a common mix-up: {fields['misconception']}."
    return text + " Read the exercise again and check each step of your working against it."


def exercise(fields: Mapping[str, Value], style: str) -> str:
    values = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in spec_value(fields["spec"]))
    return f"Exercise on {fields['skill_name']}. Work with these values: {values}."


def answer(fields: Mapping[str, Value], style: str) -> str:
    about = ""
    if "statement" in fields:
        about = f" ({fields['statement']})"
    elif "skill_name" in fields:
        about = f" on {fields['skill_name']}"
    return (
        f"I can explain the current exercise{about}, give hints and check your answers, "
        "but I can't answer other questions right now. Please ask your teacher."
    )


def summary(fields: Mapping[str, Value], style: str) -> str:
    accuracy = fields["accuracy"]
    shown = f"{round(accuracy * 100)}%" if isinstance(accuracy, float) else str(accuracy)
    skills = ", ".join(lines_value(fields["skills_practised"]))
    seen = ", ".join(lines_value(fields["misconceptions"])) or "none"
    return (
        f"{fields['student_name']} practised {skills} for "
        f"{format_number(number_value(fields['minutes']))} min; accuracy {shown}; "
        f"hints used: {fields['hints_used']}; misconceptions seen: {seen}."
    )


TEMPLATES: Mapping[str, Callable[[Mapping[str, Value], str], str]] = MappingProxyType(
    {
        "explain": explain,
        "hint": hint,
        "feedback": feedback,
        "exercise": exercise,
        "answer": answer,
        "summary": summary,
    }
)
