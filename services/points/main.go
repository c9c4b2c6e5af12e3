// Command points runs RocketMart's points service: one account per user and
// an append-only ledger, credited once per paid order by the ORDER_PAID
// consumer, with read-only admin views for the consistency audit.
//
//	@title						RocketMart points API
//	@version					1.0
//	@description				Points accounts and their append-only ledger: one point per whole currency unit paid, credited once per order.
//	@BasePath					/
//	@securityDefinitions.apikey	UserID
//	@in							header
//	@name						X-User-ID
//	@securityDefinitions.apikey	AdminToken
//	@in							header
//	@name						X-Admin-Token
package main

import "github.com/rocketmart/rocketmart/services/platform/program"

func main() { program.Main(serviceName, loadConfig, run) }
