"""The course's grading engine.

Used three ways: students self-check in JupyterLab (public cases, no reference code
needed), instructors grade through nbgrader (test cells call the same checks), and CI
grades batches in isolated processes (``autograder grade``). See docs/design.md.
"""
__version__ = "0.1.0"
