"""The learner model: BKT per (student, skill), its EM fit, FSRS reviews, next activity.

Torch-free; numpy for the fit. Modules: `bkt` (online update), `fit` (EM), `hmm` (the batched
forward-backward), `kt_data` (response logs), `metrics` and `evaluate`, `review` (FSRS),
`policy` (next activity), `params` and `params_file` (parameters and their JSON file).
"""
