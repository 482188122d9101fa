FROM python:3.11 AS requirements
RUN pip install --no-cache-dir poetry==1.8.3 poetry-plugin-export
WORKDIR /src
COPY pyproject.toml poetry.lock ./
RUN poetry export --only main -f requirements.txt -o requirements.txt --without-hashes

FROM python:3.11-slim
WORKDIR /app
COPY --from=requirements /src/requirements.txt .
RUN pip install --no-cache-dir --requirement requirements.txt
COPY . .
RUN poetry --version || pip install --no-deps .
