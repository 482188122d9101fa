# expect: dependency_cache=reinstalled rules=LC001
# why: `ADD . /app` comes before the --target install in the builder (the separate copy of requirements.txt does not help), so a code change reruns it
FROM python:3-slim AS builder
ADD . /app
WORKDIR /app
COPY requirements.txt requirements.txt
RUN pip install --target=/app -r requirements.txt

FROM gcr.io/distroless/python3-debian12
COPY --from=builder /app /app
WORKDIR /app
ENV PYTHONPATH=/app
CMD ["/app/main.py"]
