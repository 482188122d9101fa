# expect: dependency_cache=kept rules=
# why: pipenv installs Pipfile.lock system-wide from the two manifests, copied alone before the source
FROM python:3.11-slim
RUN pip install --no-cache-dir pipenv
WORKDIR /app
COPY Pipfile Pipfile.lock ./
RUN pipenv install --system --deploy --ignore-pipfile
COPY . .
CMD ["gunicorn", "project.wsgi"]
