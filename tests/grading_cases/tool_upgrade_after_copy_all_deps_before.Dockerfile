# expect: dependency_cache=kept rules=
# why: the requirements install comes before `COPY . .` and stays cached; the `pip install --upgrade pip setuptools` after the copy reruns, but it installs only packaging tools, none of the project's dependencies
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN pip install --no-cache-dir --upgrade pip setuptools
CMD ["python", "app.py"]
