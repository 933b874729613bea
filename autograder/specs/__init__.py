"""Assignment specs: one module per assignment, each defining ASSIGNMENT."""
