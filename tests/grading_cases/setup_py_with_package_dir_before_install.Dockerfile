# expect: dependency_cache=reinstalled rules=LC005
# why: the whole mypkg/ package is copied before `pip install -e .`, so an edit of mypkg/core.py reruns the install and reinstalls its dependencies (LC005: the project install needs the package, so the fix installs the dependencies alone first)
FROM python:3.11-slim
WORKDIR /app
COPY setup.py pyproject.toml ./
COPY mypkg/ mypkg/
RUN pip install --no-cache-dir -e .
CMD ["python", "-m", "mypkg.core"]
