# expect: dependency_cache=reinstalled rules=LC005
# why: `hatch env create` builds the default environment (the dependencies, then the project in dev mode) from pyproject.toml, which comes only with `COPY . .`: every code change rebuilds the environment
FROM python:3.11
RUN python -m pip install hatch
WORKDIR /app
COPY . .
RUN hatch env create
CMD ["hatch", "run", "serve"]
