package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-openapi/spec"
	"github.com/swaggo/swag/gen"
	"sigs.k8s.io/yaml"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// Generate writes swagger.json and swagger.yaml for svc into outDir
// (relative to root). swag's Go output is not written: it registers itself in
// an init function, and services embed the JSON instead.
func Generate(root, svc, outDir string) error {
	cfg := &gen.Config{
		// The service, and the routes program.Open adds to every service
		// (the training fault switches, the journal).
		SearchDir: strings.Join([]string{
			filepath.Join(root, "services", svc),
			filepath.Join(root, "services", "platform", "faults", "faultapi"),
			filepath.Join(root, "services", "platform", "journal", "journalapi"),
		}, ","),
		MainAPIFile:        "main.go",
		OutputDir:          filepath.Join(root, outDir),
		OutputTypes:        []string{"json", "yaml"},
		PropNamingStrategy: "camelcase",
		ParseDependency:    1, // models from platform and contracts
		ParseInternal:      true,
		ParseGoList:        true,
		Strict:             true,
		Debugger:           log.New(io.Discard, "", 0),
	}
	if err := gen.New().Build(cfg); err != nil {
		return fmt.Errorf("generate %s: %w", svc, err)
	}
	if err := postProcess(root, svc, cfg.OutputDir); err != nil {
		return fmt.Errorf("generate %s: %w", svc, err)
	}
	return nil
}

// postProcess adds what swag's annotations cannot say (an example per error
// response: addErrorExamples) to the swagger.json swag wrote into dir, and
// writes swagger.json and swagger.yaml again the way swag does.
func postProcess(root, svc, dir string) error {
	src, err := readSources(root)
	if err != nil {
		return err
	}
	file := filepath.Join(dir, "swagger.json")
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var sw spec.Swagger
	if err := json.Unmarshal(raw, &sw); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	calls, err := callees(root, svc, contracts.ServiceNames())
	if err != nil {
		return err
	}
	if err := addErrorExamples(svc, calls, &sw, src); err != nil {
		return err
	}
	// swag's own formatting: four-space indent for the JSON, the YAML
	// converted from compact JSON.
	indented, err := json.MarshalIndent(&sw, "", "    ")
	if err != nil {
		return err
	}
	compact, err := json.Marshal(&sw)
	if err != nil {
		return err
	}
	y, err := yaml.JSONToYAML(compact)
	if err != nil {
		return err
	}
	if err := os.WriteFile(file, indented, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "swagger.yaml"), y, 0o644)
}

// Matches regenerates svc into a temporary directory and compares it with
// the committed documents.
func Matches(root, svc string) (bool, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return false, err
	}
	tmp, err := os.MkdirTemp("", "api-docs-"+svc)
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	rel, err := filepath.Rel(root, tmp)
	if err != nil {
		return false, err
	}
	if err := Generate(root, svc, rel); err != nil {
		return false, err
	}
	for _, name := range []string{"swagger.json", "swagger.yaml"} {
		want, err := os.ReadFile(filepath.Join(tmp, name))
		if err != nil {
			return false, err
		}
		got, err := os.ReadFile(filepath.Join(root, "api-docs", svc, name))
		if err != nil {
			return false, nil // never generated
		}
		if !bytes.Equal(got, want) {
			return false, nil
		}
	}
	return true, nil
}
