# expect: dependency_cache=reinstalled rules=LC001
# why: `ADD . /app` comes first; the install reads ../requirements.txt (copied alone to /), but it runs after the source copy, so a code change reruns it
FROM python:3.9-slim AS builder
ADD . /app
COPY requirements.txt requirements.txt
WORKDIR /app
RUN pip install -r ../requirements.txt

FROM gcr.io/distroless/python3-debian12
COPY --from=builder /app /app
WORKDIR /app
ENV PYTHONPATH=/app
