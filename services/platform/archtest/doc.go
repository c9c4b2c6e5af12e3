// Package archtest holds the architecture test: it reads every workspace
// module's Go source and fails on an import that breaks the layout in
// STYLE.md ("imports point inward"). It has no code of its own; the rules
// and their allow-lists are in arch_test.go.
package archtest
