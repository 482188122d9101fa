# expect: dependency_cache=reinstalled rules=LC001
FROM python:3.11-slim
WORKDIR /srv
COPY requirements.txt /srv/requirements.txt
ADD . /srv
RUN pip install -r requirements.txt
CMD ["python","run.py"]
