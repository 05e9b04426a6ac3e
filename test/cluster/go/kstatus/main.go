// Command kstatus prints what kstatus (Helm 4's and Flux's github.com/fluxcd/cli-utils/pkg/kstatus/status)
// computes for Kubernetes objects, so tests can check modelship's status against the real library.
// Input on stdin: a JSON array of objects, or a List ({"items": [...]}). Output: one JSON line per object,
// in input order: {"kind", "namespace", "name", "status", "message"}.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/fluxcd/cli-utils/pkg/kstatus/status"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
)

type result struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	Message   string `json:"message"`
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "kstatus: %v\n", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	objects, err := readObjects(in)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	for i, obj := range objects {
		u := &unstructured.Unstructured{Object: obj}
		res, err := status.Compute(u)
		if err != nil {
			return fmt.Errorf("object %d (%s %s): %w", i, u.GetKind(), u.GetName(), err)
		}
		line := result{Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName(), Status: res.Status.String(), Message: res.Message}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return nil
}

// readObjects accepts either a bare array or a List. The API machinery's JSON decoder turns whole
// numbers into int64, as a client's would: kstatus reads generations with NestedInt64.
func readObjects(in io.Reader) ([]map[string]interface{}, error) {
	data, err := io.ReadAll(in)
	if err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	var raw interface{}
	if err := utiljson.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("decoding JSON from stdin: %w", err)
	}
	var items []interface{}
	switch v := raw.(type) {
	case []interface{}:
		items = v
	case map[string]interface{}:
		list, ok := v["items"].([]interface{})
		if !ok {
			return nil, fmt.Errorf("expected a JSON array or a List with items")
		}
		items = list
	default:
		return nil, fmt.Errorf("expected a JSON array or a List with items")
	}
	objects := make([]map[string]interface{}, 0, len(items))
	for i, item := range items {
		obj, ok := item.(map[string]interface{})
		if !ok {
			return nil, fmt.Errorf("item %d is not an object", i)
		}
		objects = append(objects, obj)
	}
	return objects, nil
}
