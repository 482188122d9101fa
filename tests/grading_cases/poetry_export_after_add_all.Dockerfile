# expect: dependency_cache=reinstalled rules=LC001
# why: `ADD . /code` comes first, so every code change reruns the export and the install that follow, even though they read copies of the manifests in /tmp
FROM python:3.11
ADD . /code
WORKDIR /code
COPY poetry.lock pyproject.toml /tmp/
RUN pip install poetry poetry-plugin-export
RUN cd /tmp && poetry export -f requirements.txt --output /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
CMD ["python", "main.py"]
