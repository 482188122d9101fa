# expect: dependency_cache=reinstalled rules=LC005
# why: a bind mount with no source= binds the whole context at the target, so `pip install .` (the project and its dependencies) sees every file and reruns on every code change
FROM python:3.12-slim
WORKDIR /src
RUN --mount=type=bind,target=/src,rw pip install --no-cache-dir .
CMD ["mytool"]
