"""The model side: LoRA recipes, training data, training, evaluation, manifests, the generator.

Imports torch, transformers and peft; nothing in `tutor`, `prompts` or `students_db` imports it.
"""
