# expect: dependency_cache=kept rules=
# why: `. .venv/bin/activate &&` puts the venv's pip first; the install reads requirements.txt only and comes before the source copy
FROM python:3.11-slim
WORKDIR /code
COPY requirements.txt .
RUN python -m venv .venv && . .venv/bin/activate && pip install --no-cache-dir -r requirements.txt
COPY . .
ENV PATH=/code/.venv/bin:$PATH
