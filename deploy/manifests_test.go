package deploy_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// kustomization is the part of kustomization.yaml these manifests use;
// decoded strictly, so a field outside it is reported, not ignored.
type kustomization struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace"`
	Labels     []struct {
		Pairs            map[string]string `json:"pairs"`
		IncludeSelectors bool              `json:"includeSelectors"`
	} `json:"labels"`
	Resources []string `json:"resources"`
	Images    []struct {
		Name    string `json:"name"`
		NewName string `json:"newName"`
		NewTag  string `json:"newTag"`
		Digest  string `json:"digest"`
	} `json:"images"`
}

// manifests is deploy/k8s decoded into the Kubernetes API types.
type manifests struct {
	Kustomization kustomization
	Files         []string // manifest files, sorted
	Deployments   map[string]*appsv1.Deployment
	Services      map[string]*corev1.Service
	ConfigMaps    map[string]*corev1.ConfigMap
	Secrets       map[string]*corev1.Secret
	Jobs          map[string]*batchv1.Job
	Namespaces    map[string]*corev1.Namespace
}

var loadK8s = sync.OnceValues(func() (*manifests, error) {
	dir := repoPath("deploy/k8s")
	m := &manifests{
		Deployments: map[string]*appsv1.Deployment{}, Services: map[string]*corev1.Service{},
		ConfigMaps: map[string]*corev1.ConfigMap{}, Secrets: map[string]*corev1.Secret{},
		Jobs: map[string]*batchv1.Job{}, Namespaces: map[string]*corev1.Namespace{},
	}
	data, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		return nil, err
	}
	if err := yaml.UnmarshalStrict(data, &m.Kustomization); err != nil {
		return nil, fmt.Errorf("kustomization.yaml: %w", err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		m.Files = append(m.Files, filepath.Base(f))
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for i, doc := range splitDocuments(string(data)) {
			if err := m.add(doc); err != nil {
				return nil, fmt.Errorf("%s, document %d: %w", filepath.Base(f), i+1, err)
			}
		}
	}
	sort.Strings(m.Files)
	return m, nil
})

func k8sManifests(t *testing.T) *manifests {
	t.Helper()
	m, err := loadK8s()
	if err != nil {
		t.Fatalf("deploy/k8s: %v", err)
	}
	return m
}

var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// splitDocuments splits a YAML stream, dropping documents that hold only
// comments.
func splitDocuments(s string) []string {
	var docs []string
	for _, d := range docSeparator.Split(s, -1) {
		for _, line := range strings.Split(d, "\n") {
			if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
				docs = append(docs, d)
				break
			}
		}
	}
	return docs
}

// add decodes one object into its API type, rejecting unknown fields,
// unknown kinds and a second object of the same kind and name.
func (m *manifests) add(doc string) error {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
		return err
	}
	switch tm.APIVersion + " " + tm.Kind {
	case "apps/v1 Deployment":
		return decodeInto(doc, tm.Kind, m.Deployments)
	case "v1 Service":
		return decodeInto(doc, tm.Kind, m.Services)
	case "v1 ConfigMap":
		return decodeInto(doc, tm.Kind, m.ConfigMaps)
	case "v1 Secret":
		return decodeInto(doc, tm.Kind, m.Secrets)
	case "batch/v1 Job":
		return decodeInto(doc, tm.Kind, m.Jobs)
	case "v1 Namespace":
		return decodeInto(doc, tm.Kind, m.Namespaces)
	}
	return fmt.Errorf("unexpected object %q %q: teach deploy's tests to check it", tm.APIVersion, tm.Kind)
}

// decodeInto decodes doc strictly into a new T and files it under its name.
func decodeInto[T any, P interface {
	*T
	GetName() string
}](doc, kind string, into map[string]*T) error {
	obj := P(new(T))
	if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
		return fmt.Errorf("%s: %w", kind, err)
	}
	name := obj.GetName()
	if name == "" {
		return fmt.Errorf("%s without metadata.name", kind)
	}
	if _, dup := into[name]; dup {
		return fmt.Errorf("a second %s called %s", kind, name)
	}
	into[name] = obj
	return nil
}

// containerEnv resolves what a container's environment will hold: envFrom
// ConfigMaps and Secrets, then env (values and key references). Every
// reference must exist in the manifests, or the pod would not start.
func (m *manifests) containerEnv(t *testing.T, where string, c corev1.Container) map[string]string {
	t.Helper()
	env := map[string]string{}
	set := func(name, value, from string) {
		if _, dup := env[name]; dup {
			t.Errorf("%s: %s is set twice (again by %s)", where, name, from)
		}
		env[name] = value
	}
	for _, src := range c.EnvFrom {
		if src.Prefix != "" {
			t.Errorf("%s: envFrom prefix %q: not supported by these checks", where, src.Prefix)
		}
		switch {
		case src.ConfigMapRef != nil:
			cm, ok := m.ConfigMaps[src.ConfigMapRef.Name]
			if !ok {
				t.Errorf("%s: envFrom ConfigMap %s does not exist", where, src.ConfigMapRef.Name)
				continue
			}
			for k, v := range cm.Data {
				set(k, v, "ConfigMap "+cm.Name)
			}
		case src.SecretRef != nil:
			s, ok := m.Secrets[src.SecretRef.Name]
			if !ok {
				t.Errorf("%s: envFrom Secret %s does not exist", where, src.SecretRef.Name)
				continue
			}
			for k, v := range secretData(s) {
				set(k, v, "Secret "+s.Name)
			}
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			set(e.Name, e.Value, "env")
		case e.ValueFrom.ConfigMapKeyRef != nil:
			ref := e.ValueFrom.ConfigMapKeyRef
			var v string
			var ok bool
			if cm, exists := m.ConfigMaps[ref.Name]; exists {
				v, ok = cm.Data[ref.Key]
			}
			if !ok {
				t.Errorf("%s: %s reads key %s of ConfigMap %s, which does not exist", where, e.Name, ref.Key, ref.Name)
			}
			set(e.Name, v, "env")
		case e.ValueFrom.SecretKeyRef != nil:
			ref := e.ValueFrom.SecretKeyRef
			s, exists := m.Secrets[ref.Name]
			var v string
			var ok bool
			if exists {
				v, ok = secretData(s)[ref.Key]
			}
			if !ok {
				t.Errorf("%s: %s reads key %s of Secret %s, which does not exist", where, e.Name, ref.Key, ref.Name)
			}
			set(e.Name, v, "env")
		default:
			t.Errorf("%s: %s: only values and ConfigMap/Secret keys are supported by these checks", where, e.Name)
		}
	}
	return env
}

func secretData(s *corev1.Secret) map[string]string {
	out := map[string]string{}
	for k, v := range s.Data {
		out[k] = string(v)
	}
	for k, v := range s.StringData {
		out[k] = v
	}
	return out
}
