# expect: dependency_cache=reinstalled rules=LC005
# why: the wheel is built from the source after `COPY . .`; `pip install dist/*.whl` installs the project and resolves every dependency again on each code change
FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir hatch
COPY . .
RUN hatch build
RUN pip install --no-cache-dir dist/*.whl
CMD ["mytool"]
