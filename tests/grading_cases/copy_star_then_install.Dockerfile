# expect: dependency_cache=reinstalled rules=LC002
# why: `COPY * ./` copies every top-level file (the modules with requirements.txt) before the install
FROM python:3.10-slim
WORKDIR /home
COPY * ./
RUN pip3 install -r requirements.txt
CMD ["python", "main.py"]
