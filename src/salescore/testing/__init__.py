"""Public test kit for code that uses salescore (extra: ``salescore[testing]``).

:mod:`salescore.testing.strategies` has Hypothesis strategies for every
public type.
"""
