ARG PYTHON=3.12
ARG BASE=python:${PYTHON}-slim
FROM --platform=$BUILDPLATFORM ${BASE} AS deps
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked \
    --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt \
    --network=default \
    pip install -r /tmp/requirements.txt
RUN --mount=type=secret,id=netrc,target=/root/.netrc pip download flask
FROM deps AS test
COPY --link --chown=1000:1000 --chmod=0644 ["src dir/", "/app/src dir/"]
COPY --from=deps /usr/local/lib /usr/local/lib
ADD --checksum=sha256:abc https://example.com/a.tar.gz /tmp/
ADD ["a", "b", "/c/"]
VOLUME ["/data", "/logs"]
VOLUME /cache /tmp/x
ENTRYPOINT ["python", "-m"]
CMD [ "app" , "--debug" ]
CMD [python, broken json]
CMD ["ok"] trailing text ignored like Docker's JSON decoder
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost/ || exit 1
HEALTHCHECK CMD ["curl", "-f", "http://localhost/"]
HEALTHCHECK NONE
STOPSIGNAL SIGTERM
RUN -- --not-a-flag
RUN --network=none "--quoted=a b" echo
