# expect: dependency_cache=reinstalled-with-cache rules=LC002
# why: the cache mount is on the app user's own pip cache and owned by them, so the install that reruns after the broad copy reuses the downloads
FROM python:3.12-slim
RUN useradd --uid 1000 -m app
USER app
ENV PATH=/home/app/.local/bin:$PATH
WORKDIR /home/app/src
COPY --chown=app . .
RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 \
    pip install --user -r requirements.txt
