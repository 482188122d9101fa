# expect: dependency_cache=reinstalled rules=LC001,LC005
# why: the prod stage copies /app/src from the dev stage (which copied the whole context) before its own installs; a code change changes that folder, so the copy and every install after it rerun (and the dev stage reinstalls on its own, after its `COPY . /app`)
FROM python:3.11-slim AS dev
WORKDIR /app
COPY . /app
RUN pip3 install poetry==2.5.1 && poetry config virtualenvs.create false
RUN poetry install --no-interaction --no-ansi

FROM python:3.11-slim AS prod
WORKDIR /app
COPY --from=dev /app/src /app
RUN pip3 install poetry==2.5.1
COPY pyproject.toml poetry.lock /app/
RUN poetry config virtualenvs.create false && poetry install --no-root --only main --no-interaction
CMD ["python", "main.py"]
