# expect: dependency_cache=kept rules=
# why: the requirements file is fetched from a URL (not the build context) and installed before `COPY . .`; a source edit does not touch it
FROM python:3.11-slim
WORKDIR /app
ADD https://raw.githubusercontent.com/example/constraints/v1.2.0/requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
COPY . .
CMD ["python", "main.py"]
