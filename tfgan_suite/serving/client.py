"""Talking to TF Serving: request bodies, responses, REST and gRPC calls.

TF Serving's REST API takes `{"signature_name": s, "inputs": {name: value}}`
(columnar) or `{"signature_name": s, "instances": [{name: value}, ...]}`
(row) at `POST /v1/models/<model>:predict`; binary inputs are
`{"b64": "<base64>"}`. `scripts/serve_client.py` uses these helpers.
"""

import base64
import json
import urllib.error
import urllib.request

import numpy as np


def _jsonable(value):
    value = np.asarray(value)
    if value.dtype == object or value.dtype.kind in "SU":
        return [{"b64": base64.b64encode(v).decode("ascii")}
                for v in value.ravel()]
    return value.tolist()


def rest_body(signature, inputs, row_format=False):
    """The JSON body (a dict) of a REST predict request.

    Args:
      signature: signature name, e.g. "sample".
      inputs: {input name: numpy array}; bytes arrays become {"b64": ...}.
      row_format: "instances" (one dict per example) instead of "inputs".
    """
    if not row_format:
        return {"signature_name": signature,
                "inputs": {k: _jsonable(v) for k, v in inputs.items()}}
    columns = {k: _jsonable(v) for k, v in inputs.items()}
    n = len(next(iter(columns.values())))
    return {"signature_name": signature,
            "instances": [{k: v[i] for k, v in columns.items()}
                          for i in range(n)]}


def outputs_from_rest(response, dtype=np.uint8):
    """{output name: numpy array} from a REST predict response (either
    format; one output comes back unnamed, as TF Serving sends it)."""
    if "error" in response:
        raise ValueError(f"server: {response['error']}")
    if "outputs" in response:
        outputs = response["outputs"]
    elif "predictions" in response:
        outputs = response["predictions"]
        if outputs and isinstance(outputs[0], dict):
            outputs = {k: [row[k] for row in outputs] for k in outputs[0]}
    else:
        raise ValueError(f"server: expected 'outputs' or 'predictions' in "
                         f"the response, got keys {sorted(response)}")
    if not isinstance(outputs, dict):
        outputs = {"output": outputs}
    return {k: _decode(v, dtype) for k, v in outputs.items()}


def _decode(value, dtype):
    if value and isinstance(value, list) and isinstance(value[0], dict):
        return np.array([base64.b64decode(v["b64"]) for v in value], object)
    return np.asarray(value, dtype)


def rest_predict(server, model, signature, inputs, timeout=60):
    """POSTs a predict request to TF Serving's REST API at `server`
    (host:port); returns {output name: numpy array}."""
    url = f"http://{server}/v1/models/{model}:predict"
    body = json.dumps(rest_body(signature, inputs)).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return outputs_from_rest(json.loads(reply.read()))
    except urllib.error.HTTPError as e:
        raise ValueError(f"server: {url} answered {e.code}: "
                         f"{e.read().decode(errors='replace')[:500]}") from e
    except urllib.error.URLError as e:
        raise ValueError(f"server: cannot reach {url} ({e.reason})") from e


def grpc_predict(server, model, signature, inputs, timeout=60):
    """The same over gRPC (with `tensorflow-serving-api`'s stubs)."""
    try:
        import grpc
        import tensorflow as tf
        from tensorflow_serving.apis import (predict_pb2,
                                             prediction_service_pb2_grpc)
    except ImportError as e:
        raise ValueError("server: gRPC needs tensorflow-serving-api: pip "
                         "install tensorflow-serving-api") from e
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model
    request.model_spec.signature_name = signature
    for key, value in inputs.items():
        request.inputs[key].CopyFrom(tf.make_tensor_proto(value))
    with grpc.insecure_channel(server) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        try:
            reply = stub.Predict(request, timeout=timeout)
        except grpc.RpcError as e:
            raise ValueError(f"server: {server} answered {e.code()}: "
                             f"{e.details()}") from e
    return {k: tf.make_ndarray(v) for k, v in reply.outputs.items()}
