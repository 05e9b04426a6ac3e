//go:build tools

// Package crds only pins istio.io/api: nothing is built from this module, the harness reads the CRD file
// kubernetes/customresourcedefinitions.gen.yaml from its folder in the module cache.
package crds

import _ "istio.io/api/networking/v1"
