# expect: dependency_cache=kept rules=
# why: with virtualenvs off, `poetry install --no-root` installs the locked dependencies from the manifests alone; after `COPY . .` the `--only-root` install adds just the project
FROM python:3.12-slim
ENV POETRY_VIRTUALENVS_CREATE=false POETRY_NO_INTERACTION=1
RUN pip install --no-cache-dir poetry==1.8.3
WORKDIR /code
COPY pyproject.toml poetry.lock ./
RUN poetry install --no-root --only main --no-ansi
COPY . .
RUN poetry install --only-root --no-ansi
CMD ["python", "-m", "service"]
