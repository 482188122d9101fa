# expect: dependency_cache=kept rules=
# why: the dependency list is read out of pyproject.toml (copied alone) into requirements.txt and installed before `COPY . .`
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir uv
RUN python -c "import tomllib; d = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; print('\n'.join(d))" > requirements.txt
RUN uv pip install --system --no-cache -r requirements.txt
COPY . .
CMD ["python", "-m", "ticker"]
