# expect: dependency_cache=kept rules=LC013
# why: the pinned requirements come from a published image by COPY --from, keyed on their content; a code change leaves them and the install cached, on the stated assumption that the image does not change between builds
FROM python:3.12-slim
WORKDIR /srv
COPY --from=registry.example.org/platform/locks:2025.1 /locks/api.txt /srv/requirements.txt
RUN pip install --no-cache-dir -r /srv/requirements.txt
COPY . .
CMD ["python", "-m", "api"]
