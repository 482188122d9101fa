# expect: dependency_cache=reinstalled rules=LC005
# why: the final stage copies only a stamp file from the builder, not the environment its install wrote; `pip install .` after `COPY . .` finds no dependency installed and installs every one again on each code change
FROM python:3.11-slim AS builder
WORKDIR /build
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
RUN date -u +%F > /build/built-on.txt

FROM python:3.11-slim
WORKDIR /app
COPY --from=builder /build/built-on.txt /app/built-on.txt
COPY . .
RUN pip install --no-cache-dir .
CMD ["python", "-m", "app.main"]
