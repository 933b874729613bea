"""The references of each assignment that the core modules do not give as they are:
adapters with an exercise's signature, worked examples, quick-check answers, training
recipes and scorers, and each assignment's known wrong versions (``VARIANTS``).

One module per assignment, named like its spec (``autograder/specs/<id>.py`` names
``solutions.assignments.<id>:<function>``), listed here explicitly.
"""
from . import a1_rnn, a2_bptt, a3_lstm, a4_gru, a5_architectures, a6_training, a7_char_lm

MODULES = (a1_rnn, a2_bptt, a3_lstm, a4_gru, a5_architectures, a6_training, a7_char_lm)
