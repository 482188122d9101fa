"""The exercise's package."""
