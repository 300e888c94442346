"""Every task format, once: training data and inference requests are formatted by the same code.

Standard library only; a token counter is passed in by whoever has a tokenizer.
"""

from prompts.builder import (
    BuiltRequest,
    Rendered,
    TokenCounter,
    TrainingExample,
    build_request,
    fallback,
    prompt_budget,
    render,
    training_example,
)
from prompts.context import LearnerContext, Turn, message_text
from prompts.errors import (
    BudgetError,
    FieldValueError,
    MissingFieldError,
    PromptError,
    UnknownFieldError,
)
from prompts.formats import FORMAT_VERSIONS, FORMATS, TASKS, TaskFormat, get_format
from prompts.markers import END_MARKER, STOP_STRINGS
from prompts.request import Decoding, GenerationRequest
from prompts.sanitize import clean_student_text

__all__ = [
    "END_MARKER",
    "FORMATS",
    "FORMAT_VERSIONS",
    "STOP_STRINGS",
    "TASKS",
    "BudgetError",
    "BuiltRequest",
    "Decoding",
    "FieldValueError",
    "GenerationRequest",
    "LearnerContext",
    "MissingFieldError",
    "PromptError",
    "Rendered",
    "TaskFormat",
    "TokenCounter",
    "TrainingExample",
    "Turn",
    "UnknownFieldError",
    "build_request",
    "clean_student_text",
    "fallback",
    "get_format",
    "message_text",
    "prompt_budget",
    "render",
    "training_example",
]
