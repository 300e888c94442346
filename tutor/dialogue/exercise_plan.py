"""An exercise's wording as a plan: a word problem on the learner's interests, numbers fixed.

The tutor may let the model re-word a generated exercise (`Tutor._wording`) around the
learner's interests. Code fixes everything that matters: the spec's two numbers, in order,
and the operation; the model only writes the story. The words are shown only when the
verifier passes them against this plan *and* `wording_matches_spec` reads exactly the spec's
numbers (so a correct student is never marked wrong), else the pack's own statement.
`WORD_PROBLEMS` are the reference wordings the adapters learn from (`tutor.training_data`).
"""

from __future__ import annotations

from prompts.formats import MOVE_TASKS
from prompts.plan import Learner, MovePlan
from tutor.curriculum.model import Exercise

DEFAULT_THEME = "games"


def exercise_plan(exercise: Exercise, skill_name: str, learner: Learner) -> MovePlan | None:
    """The plan for a word-problem wording of `exercise`, or None when its spec is not two
    whole numbers and one of the four operations (a story about "2.4 stickers shared among
    0.6 friends" would be nonsense)."""
    operation = str(exercise.spec.get("operation", ""))
    a, b = str(exercise.spec.get("a", "")), str(exercise.spec.get("b", ""))
    if operation not in WORD_PROBLEMS[DEFAULT_THEME] or not (a.isdigit() and b.isdigit()):
        return None
    theme = theme_of(learner)
    facts = (f"Use exactly {a} and {b}.", f"The operation is {operation}.", f"Theme: {theme}.")
    return MovePlan(
        move="exercise",
        task=MOVE_TASKS["exercise"],
        statement=exercise.statement,
        facts=facts,
        template=exercise.statement,
        learner=learner,
        numbers=(a, b),
        must_say=(a, b),
        operation=operation,
        answer_forms=(exercise.answer_text,),
        skill_name=skill_name,
    )


def theme_of(learner: Learner) -> str:
    """The learner's first interest that has stories, else a neutral theme."""
    for interest in learner.interests:
        if interest.lower() in WORD_PROBLEMS:
            return interest.lower()
    return DEFAULT_THEME


# Word problems per theme and operation; {a} and {b} are the spec's numbers, in that order.
WORD_PROBLEMS: dict[str, dict[str, tuple[str, ...]]] = {
    "football": {
        "add": (
            "{name}'s team scored {a} goals last season and {b} goals this season. "
            "How many goals is that altogether?",
            "A stadium sold {a} tickets on Saturday and {b} tickets on Sunday. "
            "How many tickets did it sell in total?",
        ),
        "subtract": (
            "A stadium has {a} seats and {b} of them are taken. How many seats are left?",
            "{name} had {a} football stickers and gave away {b}. How many stickers are left?",
        ),
        "multiply": (
            "There are {a} teams and each team has {b} players. How many players are there in all?",
            "{name} buys {a} packs of football cards with {b} cards in each pack. "
            "How many cards is that in total?",
        ),
        "divide": (
            "{a} footballs are shared equally among {b} teams. How many footballs does each team "
            "get?",
            "A coach splits {a} players into {b} equal groups. How many players are in each group?",
        ),
    },
    "space": {
        "add": (
            "A rocket flew {a} km on Monday and {b} km on Tuesday. How far did it fly altogether?",
            "{name} counted {a} stars one night and {b} stars the next. How many stars in total?",
        ),
        "subtract": (
            "A space station has {a} litres of water and the crew uses {b} litres. "
            "How many litres are left?",
            "A rocket needs to climb {a} km and has climbed {b} km. How many km are left to climb?",
        ),
        "multiply": (
            "A space probe sends {a} photos each day for {b} days. How many photos is that in "
            "total?",
            "Each of {a} rockets carries {b} satellites. How many satellites do they carry in all?",
        ),
        "divide": (
            "{a} astronauts are split equally into {b} crews. How many astronauts are in each "
            "crew?",
            "{name} shares {a} space stickers equally among {b} friends. How many does each "
            "friend get?",
        ),
    },
    "animals": {
        "add": (
            "A zoo has {a} birds and {b} fish. How many animals is that altogether?",
            "{name} saw {a} ducks in the morning and {b} ducks in the afternoon. "
            "How many ducks did {name} see in total?",
        ),
        "subtract": (
            "A farm had {a} sheep and sold {b} of them. How many sheep are left?",
            "There were {a} ants in a line and {b} walked away. How many ants are left in the "
            "line?",
        ),
        "multiply": (
            "A farmer has {a} hens and each hen lays {b} eggs. How many eggs is that in total?",
            "There are {a} fish tanks with {b} fish in each tank. How many fish are there in all?",
        ),
        "divide": (
            "A keeper shares {a} carrots equally among {b} rabbits. How many carrots does each "
            "rabbit get?",
            "{a} dogs are walked in {b} equal groups. How many dogs are in each group?",
        ),
    },
    "music": {
        "add": (
            "{name} practised the piano for {a} minutes on Monday and {b} minutes on Tuesday. "
            "How many minutes is that altogether?",
            "A concert sold {a} tickets in the morning and {b} in the evening. "
            "How many tickets did it sell in total?",
        ),
        "subtract": (
            "A song playlist has {a} songs and {name} has heard {b} of them. "
            "How many songs are left to hear?",
            "A hall has {a} seats and {b} are taken. How many seats are left for the concert?",
        ),
        "multiply": (
            "A band plays {a} concerts with {b} songs in each concert. How many songs is that in "
            "total?",
            "There are {a} rows of singers with {b} singers in each row. How many singers are "
            "there in all?",
        ),
        "divide": (
            "{a} music books are shared equally among {b} classes. How many books does each "
            "class get?",
            "A choir of {a} singers stands in {b} equal rows. How many singers are in each row?",
        ),
    },
    "cooking": {
        "add": (
            "{name} baked {a} cookies on Saturday and {b} cookies on Sunday. "
            "How many cookies is that altogether?",
            "A recipe uses {a} grams of flour and {b} grams of sugar. How many grams is that in "
            "total?",
        ),
        "subtract": (
            "A bakery made {a} rolls and sold {b} of them. How many rolls are left?",
            "{name} had {a} grams of butter and used {b} grams. How many grams are left?",
        ),
        "multiply": (
            "{name} makes {a} trays of muffins with {b} muffins on each tray. "
            "How many muffins is that in total?",
            "A cafe uses {a} eggs each day for {b} days. How many eggs does it use in all?",
        ),
        "divide": (
            "{a} strawberries are shared equally among {b} cakes. How many strawberries go on "
            "each cake?",
            "A cook splits {a} grams of rice equally into {b} bowls. How many grams go in each "
            "bowl?",
        ),
    },
    "games": {
        "add": (
            "{name} scored {a} points in the first game and {b} points in the second. "
            "How many points is that altogether?",
            "A team collected {a} coins and then {b} more coins. How many coins did it collect "
            "in total?",
        ),
        "subtract": (
            "{name} had {a} points and lost {b} of them. How many points are left?",
            "A level has {a} gems and {name} has found {b}. How many gems are left to find?",
        ),
        "multiply": (
            "{name} plays {a} rounds and wins {b} points in each round. How many points is that "
            "in total?",
            "There are {a} boxes with {b} cards in each box. How many cards are there in all?",
        ),
        "divide": (
            "{a} game tokens are shared equally among {b} players. How many tokens does each "
            "player get?",
            "{name} splits {a} points equally across {b} levels. How many points go to each level?",
        ),
    },
}
