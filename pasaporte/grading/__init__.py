"""Grading: nbgrader course directories, the grader account, and the instructor's
release → collect → autograde → feedback pipeline."""
