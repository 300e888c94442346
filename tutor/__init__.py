"""The tutor: the domain (curriculum, learner model, dialogue, reports), torch-free.

Only `tutor.ui` imports gradio; nothing here imports torch, transformers or peft. The real
generator lives in `adapters` and is handed in by the composition root (`app.py`, the CLI).
"""
