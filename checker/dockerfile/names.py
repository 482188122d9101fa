"""Which file names are Dockerfiles: what `grade DIR` and `batch` pick up in a folder.

Here, apart from batch, so that grading one file never loads the batch worker's modules."""


def is_dockerfile_name(name: str) -> bool:
    """``Dockerfile``, ``Dockerfile.x``, ``x.Dockerfile``, ``x.dockerfile``."""
    lower = name.lower()
    return lower == "dockerfile" or lower.startswith("dockerfile.") or lower.endswith(".dockerfile")
