# expect: dependency_cache=reinstalled rules=LC005,LC001
# why: the shared library's folder is copied and installed with its dependencies (`pip install -e .`), then the service's whole folder comes before its `pip install -r requirements.txt`; an edit to either reruns an install of everything
FROM python:3.11-slim
COPY src/shared /opt/shared
WORKDIR /opt/shared
RUN pip install --no-cache-dir -e .
COPY src/services/users /opt/service
WORKDIR /opt/service
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "src/main.py"]
