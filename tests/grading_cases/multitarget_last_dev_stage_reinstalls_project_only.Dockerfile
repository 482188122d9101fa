# expect: dependency_cache=kept rules=
# why: the last stage (dev, the default target) builds on the stage that installed the locked dependencies from the manifests alone; after `COPY . .` its `poetry install` only adds the project
FROM python:3.10 AS base
RUN pip install poetry
WORKDIR /usr/src/app

FROM base AS req
COPY pyproject.toml poetry.lock ./
RUN poetry config virtualenvs.in-project true && poetry install --only main --no-root

FROM req AS code
COPY . .
RUN poetry install --only main

FROM req AS dev
RUN poetry install --no-root
COPY . .
RUN poetry install
