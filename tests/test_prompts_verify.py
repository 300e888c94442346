"""The verifier: each check catches its kind of bad words and keeps good ones, in linear time."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from prompts.numbers import read_numbers
from prompts.plan import Learner, MovePlan
from prompts.verify import check_words, numbers_in

LEARNER = Learner(name="Maya", grade=5, style="short", interests=("football",))

# A hint on the tens column of 437 − 391 (answer 46): the sub-step asks for 13 − 9.
HINT = MovePlan(
    move="hint_operation",
    task="hint",
    statement="What is 437 − 391?",
    facts=("In the tens column, borrow: 13 − 9.",),
    template="In the tens column you take 9 away from 13. What is 13 − 9?",
    learner=LEARNER,
    numbers=("437", "391", "13", "9"),
    must_say=("13", "9"),
    must_not_say=("4",),
    operation="subtract",
    question="What is 13 − 9?",
    answer_forms=("46",),
)
GOOD_HINT = "Maya, in the tens column you need to take 9 away from 13. What is 13 − 9?"

# The worked solution of 3/4 + 2/3: reveals the answer.
SOLUTION = MovePlan(
    move="solution",
    task="explain",
    statement="What is 3/4 + 2/3?",
    facts=(
        "A common denominator of 4 and 3 is 12.",
        "Rewrite: 3/4 = 9/12 and 2/3 = 8/12.",
        "Add the numerators: 9/12 + 8/12 = 17/12.",
    ),
    template="12 is a common denominator. 9/12 + 8/12 = 17/12.",
    learner=LEARNER,
    numbers=("3/4", "2/3", "4", "3", "12", "9/12", "8/12", "17/12"),
    must_say=("17/12",),
    reveals_answer=True,
    answer_forms=("17/12",),
)
GOOD_SOLUTION = (
    "A common denominator of 4 and 3 is 12. Rewrite: 3/4 = 9/12 and 2/3 = 8/12. "
    "Add the numerators: 9/12 + 8/12 = 17/12. So the answer is 17/12."
)


def problems(text: str, plan: MovePlan) -> tuple[str, ...]:
    return check_words(text, plan).checks


def test_good_words_pass() -> None:
    assert check_words(GOOD_HINT, HINT).ok
    assert check_words(GOOD_SOLUTION, SOLUTION).ok


@pytest.mark.parametrize(
    "leak",
    [
        "The answer is 46.",
        "So you get forty-six.",
        "It comes to 46.0.",
        "That makes x = 46.",
        r"Answer: \frac{92}{2}",
    ],
)
def test_the_answer_in_any_form_is_a_leak(leak: str) -> None:
    text = GOOD_HINT.replace(" What is", f" {leak} What is")
    assert "leak" in problems(text, HINT)


@pytest.mark.parametrize(
    "spelled", ["0.75", "0,75", "3/4", "6/8", "three quarters", "75%", r"\frac{3}{4}"]
)
def test_a_fraction_answer_leaks_in_every_spelling(spelled: str) -> None:
    plan = replace(HINT, numbers=(), must_say=(), must_not_say=(), answer_forms=("3/4",))
    assert "leak" in problems(f"It is {spelled}, try it. What is the top?", plan)


def test_a_given_quantity_equal_to_the_key_is_not_a_leak_unless_called_the_answer() -> None:
    plan = MovePlan(
        move="hint_focus",
        task="hint",
        statement="Which is larger, 0.29 or 0.4?",
        facts=("Write both with two decimal places.",),
        template="Write both with two decimal places. Which has more hundredths?",
        learner=LEARNER,
        numbers=("0.29", "0.4"),
        answer_forms=("0.4",),
        safe_equal_to_key=("0.4",),
        question="Which has more hundredths?",
    )
    assert check_words(
        "Write 0.4 and 0.29 with two decimal places. Which has more hundredths?", plan
    ).ok
    assert "leak" in problems("The answer is 0.4. Which has more hundredths?", plan)


def test_the_students_own_right_answer_may_be_praised() -> None:
    plan = replace(
        HINT,
        move="encourage",
        task="feedback",
        must_say=("46",),
        must_not_say=(),
        question=None,
        operation=None,
        numbers=("46",),
        safe_equal_to_key=("46",),
    )
    assert check_words("Well done, Maya! 46 is right.", plan).ok


def test_numbers_not_in_the_plan_are_refused_but_list_markers_are_not() -> None:
    assert "numbers" in problems(GOOD_HINT + " Or try 17.", HINT)
    listed = "1. Take 9 from 13.\n2. Check it.\nWhat is 13 − 9?"
    assert "numbers" not in problems(listed, HINT)


def test_required_and_forbidden_facts() -> None:
    assert "required" in problems("Take one away. What is 13 − 8?", HINT)
    assert "forbidden" in problems("13 − 9 is 4. What is 13 − 9?", HINT)


@pytest.mark.parametrize(
    "text",
    [
        "In the tens column add 9 and 13. What is 13 + 9?",  # symbol and verb changed
        "Multiply 13 by 9 here. What is 13 − 9?",
    ],
)
def test_operation_words_must_agree_with_the_plan(text: str) -> None:
    assert "operation" in problems(text, HINT)


def test_a_word_problem_keeps_its_operation() -> None:
    plan = MovePlan(
        move="exercise",
        task="exercise",
        statement="What is 894 − 116?",
        facts=("Use exactly 894 and 116.",),
        template="What is 894 − 116?",
        learner=LEARNER,
        numbers=("894", "116"),
        must_say=("894", "116"),
        operation="subtract",
        answer_forms=("778",),
    )
    good = "A stadium has 894 seats and 116 are taken. How many seats are left?"
    assert check_words(good, plan).ok
    changed = "A team scored 894 goals and then 116 more. How many goals in total?"
    assert "operation" in problems(changed, plan)
    assert "operation" in problems("What is 894 + 116?", plan)


@pytest.mark.parametrize(
    "claim",
    [
        "Note that 9/12 + 8/12 = 16/12.",
        "The common denominator of 4 and 3 is 7.",
        "The lowest common multiple of 4 and 3 is 24.",
        "The greatest common factor of 8 and 12 is 2.",
        "4 times 3 is 13.",
    ],
)
def test_wrong_maths_is_refused(claim: str) -> None:
    plan = replace(SOLUTION, numbers=(*SOLUTION.numbers, "7", "8", "16/12", "24", "2", "13"))
    assert "maths" in problems(f"{GOOD_SOLUTION} {claim}", plan)


def test_a_true_sum_the_plan_does_not_have_is_refused() -> None:
    plan = MovePlan(
        move="contrast",
        task="feedback",
        statement="What is 50 − 24?",
        facts=("In the ones column borrow: 10 − 4 = 6.",),
        template="In the ones column borrow: 10 − 4 = 6.",
        learner=LEARNER,
        numbers=("50", "24", "10", "4", "6", "0"),
        answer_forms=("26",),
    )
    assert check_words("Borrow a ten: 10 − 4 = 6.", plan).ok
    assert "maths" in problems("Borrow a ten: 4 − 0 = 4.", plan)


@pytest.mark.parametrize(
    "rule",
    [
        "Just add the tops and the bottoms.",
        "Add the numerators and the denominators.",
        "The bigger the denominator, the bigger the fraction, so a bigger denominator means a "
        "bigger one.",
        "Work it out from left to right.",
        "Take the smaller digit from the larger one.",
    ],
)
def test_a_misconception_taught_is_refused_but_naming_the_students_is_fine(rule: str) -> None:
    assert "misconception" in problems(f"{GOOD_SOLUTION} {rule}", SOLUTION)
    diagnosis = f"{GOOD_SOLUTION} It looks like you added the denominators."
    assert check_words(diagnosis, SOLUTION).ok
    negated = f"{GOOD_SOLUTION} Do not add the denominators."
    assert check_words(negated, SOLUTION).ok


def test_question_markup_loops_and_length() -> None:
    assert "question" in problems(GOOD_HINT.replace("?", "."), HINT)
    assert "markup" in problems(GOOD_HINT + "\n### Student: hi", HINT)
    echoed = "Take 9 from 13.\nNumbers: 437, 391, 13, 9\nSay: 13; 9\nEnd with: What is 13 − 9?"
    assert "markup" in problems(echoed, HINT)  # the plan's labels copied back are not words
    loop = "I am not sure what to say here. " * 3 + GOOD_HINT
    assert "length" in problems(loop, HINT)
    assert "length" in problems("Ok?", HINT)
    assert "length" in problems(GOOD_HINT * 20, HINT)


def test_sixteen_thousand_characters_are_checked_fast() -> None:
    text = ("Take 9 from 13 in the tens column, 0,75 or 3/4 or seventy-five. " * 260)[:16_000]
    plan = replace(HINT, answer_forms=("3/4",))
    started = time.perf_counter()
    verdict = check_words(text + "?", plan)
    elapsed = time.perf_counter() - started
    assert not verdict.ok
    assert elapsed < 0.5, f"{elapsed:.2f} s for 16,000 characters"


def test_numbers_are_read_in_every_form() -> None:
    text = r"12, 1,250, 0,75, 2 1/2, 75%, -5, \frac{3}{4}, 3:4, seventy-five, three quarters"
    values = [str(n.value) for n in read_numbers(text)]
    assert values == ["12", "1250", "3/4", "5/2", "3/4", "-5", "3/4", "3/4", "75", "3/4"]


def test_numbers_inside_the_quoted_exercise_are_given_not_leaked() -> None:
    plan = MovePlan(
        move="redirect",
        task="answer",
        statement="Write 12/25 as a percentage.",
        facts=("Bring them back to the exercise.",),
        template="Let's get back to it. Shall we?",
        learner=LEARNER,
        numbers=("12/25",),
        answer_forms=("48%",),
        question="Shall we get back to the exercise?",
    )
    ok = "Fun! Back to: Write 12/25 as a percentage. Shall we get back to the exercise?"
    assert check_words(ok, plan).ok
    assert "leak" in problems("It is 48 percent. Shall we get back to the exercise?", plan)
    assert "leak" in problems("It comes to 12/25. Shall we get back to the exercise?", plan)


def test_an_exercise_written_with_its_own_symbol_keeps_its_operation() -> None:
    plan = MovePlan(
        move="exercise",
        task="exercise",
        statement="What is 894 − 116?",
        facts=("Use exactly 894 and 116.",),
        template="What is 894 − 116?",
        learner=LEARNER,
        numbers=("894", "116"),
        must_say=("894", "116"),
        operation="subtract",
        answer_forms=("778",),
    )
    assert check_words("What is 894 − 116?", plan).ok
    assert "operation" in problems("What is 894 + 116?", plan)


def test_words_that_are_only_the_question_do_not_word_the_plan() -> None:
    """Found at merge: the real model answered "I hate this" with the plan's question alone,
    and the acknowledgement was lost; such words now fail and the template is shown."""
    from prompts.plan import Learner, MovePlan
    from prompts.verify import check_words

    question = "What is the value of the digit 1 in 14,839?"
    plan = MovePlan(
        move="acknowledge",
        task="feedback",
        statement=question,
        facts=("I hear you: this one is hard, and feeling stuck is part of learning.",),
        template=f"I hear you: this one is hard. {question}",
        learner=Learner("Sam"),
        numbers=("1", "14,839"),
        question=question,
    )
    assert not check_words(question, plan).ok
    assert check_words(f"That sounds frustrating, Sam, and it is fine. {question}", plan).ok


# -- misreadings of the real planner's templates (issue 11): each test failed before its fix --


def _plan(**fields: object) -> MovePlan:
    base: dict[str, object] = {
        "move": "hint_operation",
        "task": "hint",
        "learner": LEARNER,
        "template": "-",
    }
    return MovePlan(**{**base, **fields})  # type: ignore[arg-type]


def test_a_unicode_minus_is_a_sign_in_the_plans_numbers_too() -> None:
    """`numbers_in` (which plans take their numbers from) read "(−8)" as 8, so a template
    writing −8 failed with "not in the plan: -8"."""
    text = "The signs are different, so the answer is negative: 32 ÷ (−8) = −4."
    assert numbers_in(text) == ["32", "-8", "-4"]
    plan = _plan(move="solution", task="explain", statement="What is 32 ÷ (−8)?", facts=(text,))
    plan = replace(plan, numbers=tuple(numbers_in(text)), reveals_answer=True)
    assert check_words(text, plan).ok
    assert "numbers" in problems(text.replace("−4", "−5"), plan)  # still exact values


def test_a_chained_sum_is_read_whole() -> None:
    """ "35 = 7 × 5 = 5 × 7" was read as the claim 7 × 5 = 5."""
    fact = "The first number in both lists is 35 = 7 × 5 = 5 × 7."
    plan = _plan(
        move="solution",
        task="explain",
        statement="What is the lowest common multiple of 7 and 5?",
        facts=(fact, "Multiples of 7: 7, 14, 21, 28, 35 and so on."),
        numbers=("35", "7", "5", "14", "21", "28"),
        reveals_answer=True,
    )
    assert check_words(f"Multiples of 7: 7, 14, 21, 28, 35 and so on. {fact}", plan).ok
    assert "maths" in problems("The first number in both lists is 35 = 7 × 5 = 5 × 8.", plan)


def test_sums_with_negative_terms_are_checked() -> None:
    """ "8 + (−19)" split at its own sign and "= −11" was no number: such sums were never
    checked (a wrong one passed) or read as wrong (a right one failed)."""
    plan = _plan(
        move="solution",
        task="explain",
        statement="What is 8 + (−19)?",
        facts=("Adding −19 is subtracting 19: 8 + (−19) = 8 − 19.", "8 − 19 = −11."),
        numbers=("8", "-19", "19", "-11"),
        reveals_answer=True,
    )
    assert check_words("8 + (−19) = 8 − 19, and 8 − 19 = −11.", plan).ok
    assert "maths" in problems("8 + (−19) = −27.", replace(plan, numbers=(*plan.numbers, "-27")))


def test_a_contrast_may_quote_the_students_wrong_step() -> None:
    """A contrast puts the student's wrong sum beside the right step; it is theirs to see."""
    template = "Look at this step. Your step: 8 − 10 = 2. The right step there is 8 − 10."
    plan = _plan(
        move="contrast",
        task="feedback",
        statement="What is 8 + (−10)?",
        facts=("Look at this step. Your step: 8 − 10 = 2.", "The right step there is 8 − 10."),
        numbers=("8", "10", "2", "-10"),
        answer_forms=("-2",),
    )
    assert check_words(template, plan).ok
    assert "maths" in problems(template.replace("= 2", "= 3") + " 3 is close.", plan)
    # a plan that does not quote the student has no wrong sum to repeat
    assert "maths" in problems(template, replace(plan, move="hint_operation"))


def test_a_sentence_the_plan_says_twice_may_be_said_twice() -> None:
    """A worked example quotes its exercise and the student's: both say "Write the larger
    fraction." Said more often than the plan says it, it is a loop."""
    plan = _plan(
        move="worked_example",
        statement="Which is larger, 2/5 or 2/3? Write the larger fraction.",
        facts=("Which is larger, 1/4 or 1/2? Write the larger fraction.", "Answer: 1/2"),
        numbers=("2/5", "2/3", "1/4", "1/2"),
        answer_forms=("2/3",),
        safe_equal_to_key=("2/3",),
    )
    text = (
        "Which is larger, 1/4 or 1/2? Write the larger fraction.\nAnswer: 1/2\n"
        "Now you: Which is larger, 2/5 or 2/3? Write the larger fraction."
    )
    assert check_words(text, plan).ok
    assert "length" in problems(text + " Write the larger fraction.", plan)


def test_the_exercises_own_number_is_given_where_it_is_repeated() -> None:
    """ "0.31 = ?/100" for "Write 0.31 as a fraction" (key 31/100) was read as a leak."""
    plan = _plan(
        move="substep",
        statement="Write 0.31 as a fraction in its simplest form.",
        facts=("Let's do just the denominator first. 0.31 = ?/100. What is the top number?",),
        numbers=("0.31", "100"),
        answer_forms=("31/100",),
        question="What is the top number?",
    )
    text = "Let's do just the denominator first. 0.31 = ?/100. What is the top number?"
    assert check_words(text, plan).ok
    assert "leak" in problems("The answer is 0.31. What is the top number?", plan)
    assert "leak" in problems("It is 31/100 in the end. What is the top number?", plan)
    assert "leak" in problems("0.31 is 31/100. What is the top number?", plan)


def test_an_operand_after_an_equals_sign_is_not_called_the_answer() -> None:
    """In "x = 81 − 9 = 72" the 9 (a given number equal to the key) is an operand."""
    plan = _plan(
        move="contrast",
        task="feedback",
        statement="Solve 9x = 81.",
        facts=("Your step: x = 81 − 9 = 72.", "The right step there is 81 ÷ 9."),
        numbers=("9", "81", "72"),
        answer_forms=("9",),
        safe_equal_to_key=("9",),
    )
    assert check_words("Your step: x = 81 − 9 = 72. The right step there is 81 ÷ 9.", plan).ok
    assert "leak" in problems("Your step was off: x = 9.", plan)


def test_a_sum_that_mixes_operations_keeps_the_plans_signs() -> None:
    """A product with its carry ("2 × 7 + 6") wrote "+" in a multiply step: refused as another
    operation. The plan's own sum may be written; the same numbers with other signs may not."""
    plan = _plan(
        statement="What is 29 × 7?",
        facts=("In the tens column, work out 2 × 7 + 6.", "Write down that step."),
        numbers=("2", "7", "6", "29"),
        operation="multiply",
        answer_forms=("203",),
    )
    assert check_words("In the tens column, work out 2 × 7 + 6. Write down that step.", plan).ok
    assert "operation" in problems("In the tens column, work out 2 + 7 + 6.", plan)
    assert "operation" in problems("In the tens column, work out 2 × 7 × 6.", plan)
    assert "operation" in problems("In the tens column, work out 7 ÷ 7 + 6.", plan)


def test_number_words_are_one_number_only_when_written_together() -> None:
    """ "which gives twenty. 32 ÷ 2 = 16, two equal shares" was read as twenty-two, so the
    answer 20 in words slipped past the leak check (found by corrupting planner templates)."""
    words = [
        (n.text, n.value)
        for n in read_numbers("which gives twenty. 32 ÷ 2 = 16, two equal shares")
        if n.kind == "words"
    ]
    assert words == [("twenty", 20), ("two", 2)]
    assert [n.value for n in read_numbers("three hundred and twenty-three")] == [323]
    plan = _plan(
        move="contrast",
        task="feedback",
        statement="Share 32 in the ratio 5:3. How much is the larger share?",
        facts=("Your step: 32 ÷ 2 = 16, two equal shares.", "The right step there is 32 ÷ 8."),
        numbers=("32", "2", "16", "8", "5:3", "5", "3"),
        answer_forms=("20",),
    )
    leaked = "Your step: which gives twenty. 32 ÷ 2 = 16, two equal shares."
    assert "leak" in problems(leaked, plan)


def test_an_equation_in_x_must_be_one_the_plan_writes() -> None:
    """The exercise "Solve x/4 + 8 = 2" restated as "x/4 + 8 = 4" had only allowed numbers and
    no arithmetic claim: it passed. Steps of the plan's own equations (any two sides of a
    chain) may be written, spaces and ÷ or / aside."""
    plan = _plan(
        move="solution",
        task="explain",
        statement="Solve x/4 + 8 = 2.",
        facts=("Subtract 8 on both sides: x/4 = 2 − 8 = −6.", "x = (−6) × 4 = −24."),
        numbers=("4", "8", "2", "-6", "-24"),
        reveals_answer=True,
    )
    assert check_words("Solve x ÷ 4 + 8 = 2: x/4 = −6, so x = (−6) × 4 = −24.", plan).ok
    assert "maths" in problems("Solve x/4 + 8 = 4: x/4 = −6, so x = −24.", plan)
    assert "maths" in problems("x/4 = 2 − 8 = −6, so x = −26 + 2 = −24.", plan)
    assert check_words(
        "3 x 4 = 12 is not an equation in x.", replace(plan, numbers=("3", "4", "12"))
    )


def test_the_keys_digits_with_a_percent_sign_after_them_are_still_the_key() -> None:
    """ "Answer: 1.47 Per cent means out of 100" (key 1.47) read as 0.0147: no leak."""
    plan = _plan(
        move="worked_example",
        statement="Write 147% as a decimal.",
        facts=("Per cent means out of 100, so 140% is 140/100.",),
        numbers=("147%", "140%", "140/100", "100", "140"),
        answer_forms=("1.47",),
    )
    assert check_words("Per cent means out of 100, so 140% is 140/100.", plan).ok
    assert "leak" in problems("Answer: 1.47 Per cent means out of 100.", plan)


def test_a_fraction_over_a_number_is_not_a_pair() -> None:
    """ "Write 2/3 over 6" was read as "3 over 6" = 1/2, a leak for a 1/2 key."""
    plan = _plan(
        move="hint_operation",
        statement="What is 2/3 − 1/6?",
        facts=("Write 2/3 over 6: multiply top and bottom by 2: 2 × 2 = 4, so 2/3 = 4/6.",),
        numbers=("2/3", "1/6", "6", "2", "4", "4/6"),
        answer_forms=("1/2",),
    )
    assert check_words(plan.facts[0], plan).ok
    assert "leak" in problems("So it is 3 over 6 in the end.", replace(plan, numbers=("3", "6")))


def test_words_cut_off_mid_sentence_are_refused() -> None:
    """A generation stopped by its token or time limit passed while its numbers were right
    ("…because the top digit is smaller, so this column borrows"): found in the real app."""
    from dataclasses import replace as with_fields

    from prompts.plan import Learner, MovePlan

    plan = MovePlan(
        move="contrast",
        task="feedback",
        statement="What is 437 − 391?",
        facts=("Look at the tens column. Your step: 9 − 3 = 6.",),
        template="Look at the tens column. Your step: 9 − 3 = 6. The right step is 13 − 9.",
        learner=Learner(name="Ada"),
        numbers=("437", "391", "9", "3", "6", "13"),
        answer_forms=("46",),
    )
    whole = "Look at the tens column. Your step: 9 − 3 = 6. The right step is 13 − 9."
    assert check_words(whole, plan).ok
    cut = "Look at the tens column. Your step: 9 − 3 = 6. The right step is 13 − 9, so this"
    assert "length: stops mid-sentence (cut off)" in check_words(cut, plan).problems
    solution = with_fields(
        plan, template="Steps.\nAnswer: 46", reveals_answer=True, numbers=(*plan.numbers, "46")
    )
    assert check_words("Look at the tens column. Your step: 9 − 3 = 6.\nAnswer: 46", solution).ok


def test_a_decimal_comma_after_zero_is_a_decimal() -> None:
    """'0,132' cannot be thousands (no group starts with 0): it is 0.132, so a key of 0.132
    written with a decimal comma is a leak (found by the verifier benchmark)."""
    from fractions import Fraction

    assert [n.value for n in read_numbers("The answer is 0,132.")] == [Fraction(132, 1000)]
    assert [n.value for n in read_numbers("1,250 apples")] == [Fraction(1250)]
