# expect: dependency_cache=no-install rules=
# why: ONBUILD instructions run only in images built FROM this one; this build installs nothing
FROM python:3.11
WORKDIR /opt/app-root
ONBUILD COPY requirements.txt /opt/app-root/
ONBUILD RUN pip install -r requirements.txt
ONBUILD COPY src /opt/app-root
CMD ["python", "app.py"]
