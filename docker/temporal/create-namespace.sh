#!/bin/sh
# One-shot, in the temporalio/admin-tools image: waits for the Temporal frontend, then registers
# the namespace the api and worker use (TEMPORAL_NAMESPACE) unless it exists. The
# temporalio/server image, unlike the old auto-setup image, registers no namespace itself.
set -eu

NAMESPACE="${NAMESPACE:-default}"
ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
RETENTION="${NAMESPACE_RETENTION:-720h}"

attempt=0
until temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 60 ]; then
    echo "temporal-namespace: the Temporal server at $ADDRESS did not become healthy" >&2
    exit 1
  fi
  sleep 2
done

if temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "temporal-namespace: namespace $NAMESPACE already exists"
else
  temporal operator namespace create --address "$ADDRESS" --namespace "$NAMESPACE" --retention "$RETENTION"
  echo "temporal-namespace: created namespace $NAMESPACE (retention $RETENTION)"
fi
