"""The adversarial corpus: generated submissions with the score each deserves (see entries.py)."""
