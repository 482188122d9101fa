# expect: dependency_cache=reinstalled rules=LC002
# why: `ADD ./common/* ./common/` copies the shared modules together with common/requirements.txt, so editing a shared module reruns the install
FROM python:3.11
WORKDIR /opt/src
ADD ./common/* ./common/
RUN pip install -r ./common/requirements.txt
COPY ./service/ ./
CMD ["python", "main.py"]
