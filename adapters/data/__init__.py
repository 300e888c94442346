"""Training-data builders: public data sets -> `prompts` training examples, split and hashed.

No torch here: building data needs only the standard library and `prompts`.
"""

from adapters.data.dataset import (
    BUILDER_VERSION,
    SOURCES,
    TASK_SOURCES,
    TaskDataset,
    build_dataset,
    data_hash,
    default_data_root,
    sources_for,
)
from adapters.data.export import MANIFEST_NAME, write_dataset
from adapters.data.records import Skipped, Source, SourceExample

__all__ = [
    "BUILDER_VERSION",
    "MANIFEST_NAME",
    "SOURCES",
    "TASK_SOURCES",
    "Skipped",
    "Source",
    "SourceExample",
    "TaskDataset",
    "build_dataset",
    "data_hash",
    "default_data_root",
    "sources_for",
    "write_dataset",
]
