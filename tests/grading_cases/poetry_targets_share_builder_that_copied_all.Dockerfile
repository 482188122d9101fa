# expect: dependency_cache=reinstalled rules=LC005
# why: the shared builder stage copies the whole project first; the last target (production) runs `poetry install` on top of it, so every code change reinstalls everything
FROM python:3.11 AS builder
WORKDIR /app
COPY . /app
RUN pip install poetry

FROM builder AS development
RUN poetry install

FROM builder AS production
RUN poetry install --without dev
CMD ["python", "-m", "tink"]
