# expect: dependency_cache=reinstalled rules=LC002
FROM python:3.12-slim AS builder
WORKDIR /build
COPY . .
RUN pip wheel --no-cache-dir -r requirements.txt -w /wheels

FROM python:3.12-slim
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir /wheels/*
COPY . /app
