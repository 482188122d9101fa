# expect: dependency_cache=kept rules=
FROM python:3.12-slim AS builder
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM python:3.12-slim
COPY --from=builder /venv /venv
ENV PATH=/venv/bin:$PATH
WORKDIR /app
COPY . .
CMD ["python", "app.py"]
