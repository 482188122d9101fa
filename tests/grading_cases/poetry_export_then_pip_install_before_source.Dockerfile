# expect: dependency_cache=kept rules=
# why: `poetry export` reads only pyproject.toml and poetry.lock, copied alone; the install of the exported file comes before `COPY . .`
FROM python:3.11
WORKDIR /code
RUN pip install poetry poetry-plugin-export
COPY pyproject.toml poetry.lock* /code/
RUN poetry export -f requirements.txt --output requirements.txt --without-hashes
RUN pip install --no-cache-dir -r requirements.txt
COPY . /code
CMD ["python", "-m", "app"]
