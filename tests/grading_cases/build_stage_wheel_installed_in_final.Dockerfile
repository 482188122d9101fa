# expect: dependency_cache=reinstalled rules=LC005
# why: the build stage makes the project's wheel after `COPY . .`; the final stage copies it and `pip install`s it, which resolves and installs every dependency again on each code change
FROM python:3.11-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir build
COPY . .
RUN python -m build --wheel

FROM python:3.11-slim
COPY --from=build /src/dist/*.whl /tmp/
RUN pip install --no-cache-dir /tmp/*.whl && rm /tmp/*.whl
CMD ["mytool"]
