# expect: dependency_cache=reinstalled rules=LC005
FROM python:3.12-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .
