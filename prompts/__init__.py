"""Every task format, once: training data and inference requests are formatted by the same code.

Standard library only; a token counter is passed in by whoever has a tokenizer.
"""
