# expect: dependency_cache=reinstalled rules=LC002,LC013
# why: SRC has no default and the install does not name it; BuildKit expands `COPY ${SRC} ./` to a copy of the whole context without `--build-arg SRC=...`, so the install after it reruns on every code change; the grade says it took SRC as empty
FROM python:3.11-slim
ARG SRC
WORKDIR /app
COPY ${SRC} ./
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "app.py"]
