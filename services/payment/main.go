// Command payment runs RocketMart's payment service: demo wallets, charges
// (at most one per order), refunds and top-ups, and the ORDER_CANCELLED
// consumer that refunds or voids a cancelled order's payment.
//
//	@title						RocketMart payment API
//	@version					1.0
//	@description				Wallets (demo balances), charges (at most one per order), refunds and top-ups.
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
