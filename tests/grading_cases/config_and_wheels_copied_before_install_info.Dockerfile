# expect: dependency_cache=kept rules=LC012
# why: config/settings.ini and wheels/ are build inputs copied by name, not application source: an edit to app.py (copied after the install) leaves it cached; LC012 says (info) that editing either reruns the install
FROM python:3.11-slim
WORKDIR /srv
COPY config/settings.ini /etc/app/settings.ini
COPY wheels/ /opt/wheels/
COPY requirements.txt .
RUN pip install --no-cache-dir --find-links /opt/wheels -r requirements.txt
COPY app.py .
CMD ["python", "app.py"]
