# expect: dependency_cache=kept rules=
# why: `pip install --no-deps -r requirements.txt` installs every package the fully pinned file lists (it is the dependency install) before the source; the project install after `COPY . .` is --no-deps and adds only the project
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir --no-deps -r requirements.txt
COPY . .
RUN pip install --no-cache-dir --no-deps -e .
