# expect: dependency_cache=reinstalled rules=LC002
FROM python:3.12-slim
WORKDIR /code
COPY . .
RUN --mount=type=bind,source=.,target=/tmp/src pip install --no-cache-dir -r /tmp/src/requirements.txt
CMD ["python", "-m", "app"]
