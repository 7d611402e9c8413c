"""Ask a running TF Serving for images and save them as a PNG grid.

    docker run -p 8501:8501 -p 8500:8500 -v $PWD/saved_models:/models \\
        tensorflow/serving --model_config_file=/models/models.config
    python scripts/serve_client.py --server=localhost:8501 --model=dcgan --num=16
    python scripts/serve_client.py --server=localhost:8500 --protocol=grpc \\
        --model=cgan --label=7
    python scripts/serve_client.py --server=localhost:8501 --model=pix2pix \\
        --image=facade_labels.png --out=photo.png
"""

from tfgan_suite.commands.serve_client import run

if __name__ == "__main__":
    run()
