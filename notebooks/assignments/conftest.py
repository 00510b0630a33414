"""The source assignments are not chapters: nbval does not run them.

They are nbgrader source notebooks (solutions and hidden tests inside, no stored
outputs); tests/test_teach.py releases, solves and grades them in fresh kernels instead.
"""

collect_ignore_glob = ["*.ipynb"]
