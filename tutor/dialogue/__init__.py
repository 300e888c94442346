"""The dialogue policy: what a student's message is, what the tutor says back, and the guards
that keep a model's words from giving the answer away. Pure functions; the `Tutor` wires them."""
