# expect: dependency_cache=reinstalled rules=LC005
# why: `COPY src` comes before `poetry install` (which installs the project too) in the base stage that the final stage copies site-packages from; every code change reruns it
FROM python:3.12-slim AS base
RUN pip install poetry
WORKDIR /app
COPY src /app/src
COPY pyproject.toml poetry.lock* ./
RUN POETRY_VIRTUALENVS_CREATE=false python -m poetry install --only main

FROM python:3.12-alpine AS prod
COPY --from=base /app/src /app/src/
COPY --from=base /usr/local/lib/python3.12/site-packages /usr/local/lib/python3.12/site-packages
WORKDIR /app
ENTRYPOINT ["python", "-m", "src.main"]
