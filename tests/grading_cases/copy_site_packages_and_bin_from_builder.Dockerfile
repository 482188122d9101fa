# expect: dependency_cache=kept rules=
# why: the builder installs requirements.txt only; the final stage copies site-packages and bin by path and then the source, with no install after the source
FROM python:3.12-slim AS builder
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM python:3.12-slim
COPY --from=builder /usr/local/lib/python3.12/site-packages /usr/local/lib/python3.12/site-packages
COPY --from=builder /usr/local/bin /usr/local/bin
WORKDIR /app
COPY . .
CMD ["uvicorn", "main:app"]
