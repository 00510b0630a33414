"""Teaching a class with buddylab: per-student assignments, release and grading.

Kernel: none (teaching support).

    python -m buddylab.teach release --out DIR [--roster FILE] [--with-solutions]
    python -m buddylab.teach grade DIR/submitted --out grades.csv

The source assignments are nbgrader source notebooks in
``notebooks/assignments/``; `release` writes one variant per student, seeded
from a course secret (`seeds.variant_seed`), and `grade` runs the submitted
notebooks with the hidden checks restored.  ``import buddylab`` does not import
this package, and this package imports nbformat/nbclient only when a notebook
is read, written or run.
"""

from .seeds import TeachError, variant_seed, read_secret, read_roster, SECRET_ENV

__all__ = ["TeachError", "variant_seed", "read_secret", "read_roster", "SECRET_ENV"]
