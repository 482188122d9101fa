# expect: dependency_cache=kept rules=LC013
# why: REQS has no default, so the build only works with `--build-arg REQS=<file>` (the install reads it with -r); given one, line 6 copies that file alone before the source and the install stays cached; the grade names this assumption
FROM python:3.11-slim
ARG REQS
WORKDIR /app
COPY ${REQS} ./
RUN pip install --no-cache-dir -r ${REQS}
COPY . .
CMD ["python", "app.py"]
