"""Pasaporte: a Jupyter portal for Learning Passport México (courses, evaluations, teacher training)."""

__version__ = "0.1.0"
