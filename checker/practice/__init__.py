"""Helpers for notebooks 06-09: packaging tools, exercises, the instructors' notebook."""
