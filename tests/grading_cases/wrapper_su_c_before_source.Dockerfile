# expect: dependency_cache=kept rules=
# why: `su app -c "pip install --user -r ..."` installs from requirements.txt alone, copied before the source
FROM python:3.12-slim
RUN useradd -m app
WORKDIR /home/app
COPY --chown=app:app requirements.txt .
RUN su app -c "pip install --user --no-cache-dir -r /home/app/requirements.txt"
COPY --chown=app:app . .
USER app
