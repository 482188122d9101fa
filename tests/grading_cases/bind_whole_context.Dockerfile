# expect: dependency_cache=reinstalled rules=LC002
FROM python:3.12-slim
WORKDIR /app
RUN --mount=type=bind,source=.,target=/src pip install --no-cache-dir -r /src/requirements.txt
COPY . .
