# The packaged pipeline as an image: `kedro package`, then `docker build -t moons-classifier .`
# and `docker run --rm -v "$PWD/data:/home/kedro/data" moons-classifier` (docs/deployment.md).
FROM python:3.11-slim

WORKDIR /home/kedro
COPY requirements.txt .
# torch's CPU build (torch==...+cpu in requirements.txt) comes from PyTorch's own index.
RUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu \
    -r requirements.txt
COPY dist/*.whl dist/conf-moons_classifier.tar.gz ./
RUN pip install --no-cache-dir --no-deps ./*.whl && pip check

ENV KEDRO_DISABLE_TELEMETRY=1
ENTRYPOINT ["python", "-m", "moons_classifier", "--conf-source=conf-moons_classifier.tar.gz"]
