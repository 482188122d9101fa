# expect: dependency_cache=kept rules=
# why: requirements.txt is copied alone and installed with --target into /app before `ADD . /app`; the distroless stage then copies /app, which is a copy, not a reinstall
FROM python:3.12-slim AS builder
WORKDIR /app
COPY ./requirements.txt ./requirements.txt
RUN pip install --no-cache-dir --target=/app -r requirements.txt
ADD . /app

FROM gcr.io/distroless/python3-debian12
COPY --from=builder /app /app
WORKDIR /app
ENV PYTHONPATH=/app
CMD ["/app/main.py"]
