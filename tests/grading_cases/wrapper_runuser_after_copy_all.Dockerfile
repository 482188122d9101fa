# expect: dependency_cache=reinstalled rules=LC002
# why: `runuser -u app --` is a wrapper around pip; the install after the broad copy reruns on every change
FROM python:3.11-slim
RUN useradd --create-home app
WORKDIR /home/app/project
COPY --chown=app:app . .
RUN runuser -u app -- python -m pip install --user --no-cache-dir -r requirements.txt
