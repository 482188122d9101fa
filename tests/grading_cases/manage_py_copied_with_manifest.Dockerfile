# expect: dependency_cache=reinstalled rules=LC001
# why: manage.py is the Django project's own module; copied with the requirements before the install, each edit of it reruns the install
FROM python:3.12-slim
ARG APP_HOME=/code
WORKDIR ${APP_HOME}
COPY --chown=1000:1000 manage.py requirements.txt ${APP_HOME}/
RUN pip install --no-cache-dir -r requirements.txt
COPY --chown=1000:1000 . .
USER 1000
CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]
