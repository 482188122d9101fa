# expect: dependency_cache=reinstalled rules=LC002
# why: the builder copies the whole context before filling the venv, so the venv install reruns on every code change even though the final stage only copies the venv
FROM python:3.11-slim AS builder
WORKDIR /build
COPY . .
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt

FROM python:3.11-slim
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY . .
CMD ["gunicorn", "app:create_app()"]
