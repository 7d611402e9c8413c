"""Serving: SavedModel export for TF Serving, its verification, and the
REST / gRPC client."""

from tfgan_suite.serving import client, export, signatures
from tfgan_suite.serving.client import (grpc_predict, outputs_from_rest,
                                        rest_body, rest_predict)
from tfgan_suite.serving.export import (MANIFEST_FILE, MODELS_CONFIG,
                                        WARMUP_FILE, export_saved_model,
                                        expected_signatures, in_float32,
                                        latest_version_dir, read_manifest,
                                        read_warmup_requests, verify,
                                        read_models_config,
                                        verify_models_config, versions,
                                        write_models_config)

__all__ = ["MANIFEST_FILE", "MODELS_CONFIG", "WARMUP_FILE", "client",
           "expected_signatures", "export", "export_saved_model",
           "grpc_predict", "in_float32", "latest_version_dir", "outputs_from_rest",
           "read_manifest", "read_models_config", "read_warmup_requests",
           "rest_body",
           "rest_predict", "signatures", "verify", "verify_models_config", "versions",
           "write_models_config"]
