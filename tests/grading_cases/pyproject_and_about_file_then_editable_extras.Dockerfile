# expect: dependency_cache=kept rules=
# why: the version comes from src/pkg/__about__.py, copied alone with pyproject.toml and README.md; the editable install with extras reads only those, and the rest of src/ comes after
FROM python:3.12-slim
WORKDIR /work
COPY pyproject.toml README.md ./
COPY src/pkg/__about__.py src/pkg/__about__.py
RUN pip install --no-cache-dir -e '.[test,docs]'
COPY src/ src/
COPY tests/ tests/
CMD ["pytest"]
