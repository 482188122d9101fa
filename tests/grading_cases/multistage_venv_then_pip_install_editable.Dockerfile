# expect: dependency_cache=kept rules=
# why: the venv is filled from requirements.txt alone in the builder; after the copy of the venv and the source, `pip install -e .` finds every dependency installed and only adds the project
FROM python:3.11-slim AS builder
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt

FROM python:3.11-slim
COPY --from=builder /venv /venv
ENV PATH=/venv/bin:$PATH
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -e .
CMD ["python", "-m", "app.main"]
