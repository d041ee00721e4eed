"""Everything that runs many models: experiments, executors, the results store, analyses and the CLI.

Python API (``experiments.api``): ``compare``, ``sweep``, ``sensitivity``, ``depletion``, ``targets`` and
``resume``, each writing one experiment folder; ``experiments.analysis.tables.analyse(folder)`` recomputes its
analysis tables from the stored files.
"""
