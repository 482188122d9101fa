from python:3.12-slim as Base
run apt-get update \
    && apt-get install -y --no-install-recommends \
        build-essential \
        # a comment inside the continuation is dropped
        git \
    && rm -rf /var/lib/apt/lists/*

Run pip install \

    flask \
	requests
RUN echo "ends with an escaped backslash \\"
RUN echo one \
  # comment at the end of a continuation
  two
ENV LEGACY_FORM some value with spaces
ENV QUOTED="a b" \
    OTHER='c d' \
    ESCAPED=e\ f
LABEL org.opencontainers.image.title="demo" \
      version=1
ARG A="x y" B
WORKDIR   /srv/app   
