# expect: dependency_cache=kept rules=
# why: the builder fills /venv through its own pip from requirements.txt alone; the final stage copies /venv and puts /venv/bin first on PATH, so `pip install .` after the source is the venv's pip, finds every dependency installed and adds only the project
FROM python:3.11-slim AS deps
COPY requirements.txt /tmp/requirements.txt
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir -r /tmp/requirements.txt

FROM python:3.11-slim
COPY --from=deps /venv /venv
ENV PATH=/venv/bin:$PATH
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .
CMD ["python", "-m", "app.main"]
