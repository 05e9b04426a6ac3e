// Command argocd-health evaluates an Argo CD custom health check (a Lua script for argocd-cm's
// resource.customizations.health.<group>_<kind>) on one object, with Argo CD's own code: the script goes into an
// argocd-cm ConfigMap that Argo CD's settings manager (util/settings) reads, as `argocd admin settings
// resource-overrides health` does; the object's health is then what gitops-engine's health.GetResourceHealth makes
// of it with lua.ResourceHealthOverrides, the call Argo CD's application controller makes (controller/health.go).
// So the script runs in Argo CD's gopher-lua sandbox (util/lua: only the package, base and table libraries, and
// an os with only time and date through require("os"), unless useOpenLibs is set; a 1 s timeout), and Argo CD's
// checks of the returned table apply.
//
// Usage: argocd-health [-key argocd-cm-key] <health.lua> < object.json
// -key defaults to resource.customizations.health.<group>_<kind> of the object (its apiVersion and kind).
// Output on stdout: {"status", "message"} as Argo CD shows them. When Argo CD reports an error instead (a
// script that does not run, or returns something other than a table), the error goes to stderr and the exit
// code is 1; the exit code is 2 when the key gives the object no health check at all. A status Argo CD does not
// know is no error in Argo CD: it shows Unknown, "Lua returned an invalid health status", and so does this.
//
// Argo CD v3.2.12 is the newest release that builds here from the Go module proxy as Argo CD builds it: v3.3.x
// replaces github.com/argoproj/gitops-engine with its in-repo copy, a replace that does not apply to it as a
// dependency, so it would get another gitops-engine than its own build; v3.4.x and v3.5.x require
// github.com/argoproj/argo-cd/gitops-engine at a pseudo-version the proxy refuses (403, "This module version is
// not available"); v3.6.x requires Go 1.27. v3.2.12 pins the separate github.com/argoproj/gitops-engine repo.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/argoproj/gitops-engine/pkg/health"
	log "github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/argoproj/argo-cd/v3/common"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/lua"
	"github.com/argoproj/argo-cd/v3/util/settings"
)

type result struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// errNoHealthCheck: Argo CD found no script for the object under the given key.
type errNoHealthCheck struct{ key string }

func (e errNoHealthCheck) Error() string {
	return fmt.Sprintf("argocd-cm key %q gives the object no health check", e.key)
}

func main() {
	// Argo CD's settings manager logs at info level ("Ignore status for all objects"); warnings still show.
	log.SetLevel(log.WarnLevel)
	key := flag.String("key", "", "argocd-cm key for the script (default resource.customizations.health.<group>_<kind> of the object)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: argocd-health [-key argocd-cm-key] <health.lua> < object.json")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	res, err := run(flag.Arg(0), *key, os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "argocd-health: %s\n", strings.TrimSpace(err.Error()))
		if _, ok := err.(errNoHealthCheck); ok {
			os.Exit(2)
		}
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		fmt.Fprintf(os.Stderr, "argocd-health: %v\n", err)
		os.Exit(1)
	}
}

func run(scriptPath, key string, in io.Reader) (*result, error) {
	script, err := os.ReadFile(scriptPath)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(in)
	if err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	// The decoder of client-go's dynamic client and informers: whole numbers become int64, as the controller
	// sees them.
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("decoding the object on stdin: %w", err)
	}
	if key == "" {
		gvk := obj.GroupVersionKind()
		key = "resource.customizations.health." + gvk.Kind
		if gvk.Group != "" {
			key = "resource.customizations.health." + gvk.Group + "_" + gvk.Kind
		}
	}
	overrides, err := resourceOverrides(map[string]string{key: string(script)})
	if err != nil {
		return nil, fmt.Errorf("argocd-cm: %w", err)
	}
	hs, err := health.GetResourceHealth(obj, lua.ResourceHealthOverrides(overrides))
	if err != nil {
		return nil, err
	}
	if hs == nil {
		return nil, errNoHealthCheck{key}
	}
	return &result{Status: string(hs.Status), Message: hs.Message}, nil
}

// resourceOverrides reads the resource customizations of an argocd-cm holding the given data through Argo CD's
// settings manager, on a fake clientset, as `argocd admin settings --argocd-cm-path` does.
func resourceOverrides(data map[string]string) (map[string]v1alpha1.ResourceOverride, error) {
	const namespace = "argocd"
	meta := func(name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: map[string]string{"app.kubernetes.io/part-of": "argocd"}}
	}
	cm := &corev1.ConfigMap{ObjectMeta: meta(common.ArgoCDConfigMapName), Data: data}
	secret := &corev1.Secret{ObjectMeta: meta(common.ArgoCDSecretName), Data: map[string][]byte{"server.secretkey": []byte("test")}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	manager := settings.NewSettingsManager(ctx, fake.NewClientset(cm, secret), namespace)
	if err := manager.ResyncInformers(); err != nil {
		return nil, err
	}
	return manager.GetResourceOverrides()
}
