# expect: dependency_cache=kept rules=
# why: `poetry export | pip install -r /dev/stdin` reads only pyproject.toml and poetry.lock, copied alone before `COPY . .` (the pipe is no file to copy)
FROM python:3.12-slim
RUN pip install --no-cache-dir poetry poetry-plugin-export
WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN poetry export --without-hashes -f requirements.txt | pip install --no-cache-dir -r /dev/stdin
COPY . .
CMD ["python", "-m", "app"]
