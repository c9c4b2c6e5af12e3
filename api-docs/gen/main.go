// Command gen regenerates api-docs/<service>/swagger.{json,yaml} from each
// service's swag annotations, or with -check reports the services whose
// committed documents no longer match the code.
//
//	go run ./api-docs/gen            # from the repository root
//	go run ./api-docs/gen -check
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/rocketmart/rocketmart/services/contracts"
)

func main() {
	root := flag.String("root", ".", "repository root")
	check := flag.Bool("check", false, "only report drift, write nothing")
	flag.Parse()
	services := flag.Args()
	if len(services) == 0 {
		// Every service of the table in services/contracts has a document.
		services = contracts.ServiceNames()
	}
	if err := run(*root, *check, services); err != nil {
		fmt.Fprintln(os.Stderr, "api-docs:", err)
		os.Exit(1)
	}
}

func run(root string, check bool, services []string) error {
	var drifted []string
	for _, svc := range services {
		if check {
			same, err := Matches(root, svc)
			if err != nil {
				return err
			}
			if !same {
				drifted = append(drifted, svc)
			}
			continue
		}
		if err := Generate(root, svc, "api-docs/"+svc); err != nil {
			return err
		}
		fmt.Printf("api-docs: wrote api-docs/%s/swagger.json and swagger.yaml\n", svc)
	}
	if len(drifted) > 0 {
		return fmt.Errorf("out of date for %v: run make api-docs and commit the result", drifted)
	}
	return nil
}
