# expect: dependency_cache=kept rules=
# why: the editable install reads setup.py, pyproject.toml and mypkg/__init__.py only; editing mypkg/core.py (copied after) leaves the install cached, and the editable install picks up the new code
FROM python:3.11-slim
WORKDIR /app
COPY setup.py pyproject.toml ./
COPY mypkg/__init__.py mypkg/
RUN pip install --no-cache-dir -e ".[dev]"
COPY mypkg/ mypkg/
CMD ["python", "-m", "mypkg.core"]
