# expect: dependency_cache=reinstalled rules=LC002
# why: after `USER app` pip keeps its cache in /home/app/.cache/pip; the cache mount on /root/.cache/pip is never used, so the install after `COPY . .` downloads everything again
FROM python:3.12-slim
RUN useradd -m app
USER app
WORKDIR /home/app/web
COPY --chown=app:app . .
RUN --mount=type=cache,target=/root/.cache/pip pip install --user -r requirements.txt
