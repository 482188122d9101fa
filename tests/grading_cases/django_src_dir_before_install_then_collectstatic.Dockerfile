# expect: dependency_cache=reinstalled rules=LC001
# why: src/ is application code although a later RUN executes src/manage.py (collectstatic runs the app, it is no build tool); copied before the install, every edit reruns it
FROM python:3.11-slim
WORKDIR /app
COPY src/ ./src/
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
RUN python src/manage.py collectstatic --noinput
CMD ["gunicorn", "--chdir", "src", "site.wsgi"]
