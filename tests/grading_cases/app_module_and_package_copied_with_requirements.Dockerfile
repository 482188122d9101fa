# expect: dependency_cache=reinstalled rules=LC001
# why: api.py and the cflib package are copied with requirements.txt before the install, so editing either reruns it
FROM python:3.11
WORKDIR /usr/src/app
COPY api.py requirements.txt /usr/src/app/
COPY cflib /usr/src/app/cflib
RUN mkdir -p /usr/src/app/uploads
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "./api.py"]
