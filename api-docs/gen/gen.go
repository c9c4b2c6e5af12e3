package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/swaggo/swag/gen"
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
	return nil
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
